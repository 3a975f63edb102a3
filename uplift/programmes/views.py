from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from uplift.accounts.access import principal_of, region_prefix
from uplift.core.views import ObjectViews, my_work_page

from . import filtersets, forms, services, tables
from .charts import dashboard_charts
from .metrics import Scope, dashboard
from .models import PilotProject, Programme, Target

programme_views = ObjectViews(
    model=Programme,
    table=tables.ProgrammeTable,
    filterset=filtersets.ProgrammeFilterSet,
    form=forms.ProgrammeForm,
    services=services,
    select_related=("region",),
    detail_fields=[
        "name",
        "slug",
        "region",
        "start_date",
        "end_date",
        "budget",
        "description",
        "excellent_from",
        "good_from",
        "pass_from",
    ],
    detail_template="programmes/programme_detail.html",
)
target_views = ObjectViews(
    model=Target,
    table=tables.TargetTable,
    filterset=filtersets.TargetFilterSet,
    form=forms.TargetForm,
    services=services,
    select_related=("programme", "region", "parent__region"),
    detail_fields=["programme", "metric", "region", "value", "deadline", "parent"],
)
pilot_views = ObjectViews(
    model=PilotProject,
    table=tables.PilotProjectTable,
    filterset=filtersets.PilotProjectFilterSet,
    form=forms.PilotProjectForm,
    services=services,
    service_prefix="pilot",
    select_related=("programme", "cluster__region", "institution"),
    detail_fields=["programme", "cluster", "institution", "started_on", "goals"],
)


def region_code_of(prefix: str) -> str:
    """The code of the region whose subtree is ``prefix``: 42 -> 420000, 4201 -> 420100."""
    return prefix.ljust(6, "0")


def dashboard_scope(request, programme: Programme) -> Scope:
    """The scope the user asked for, clamped to what they are responsible for.

    An officer of a city lands on their city; asking for a region outside their subtree is a 404,
    like any record they may not see.
    """
    p = principal_of(request.user)
    region = (request.GET.get("region") or "").strip() or None
    cluster = request.GET.get("cluster")
    cluster_id = int(cluster) if cluster and cluster.isdigit() else None
    if not p.is_superuser:
        if region is None:
            own = [pr for pr in p.region_prefixes if pr.startswith(region_prefix(programme.region_id))]
            region = region_code_of(own[0]) if own else None
        if region is not None and not p.officer_for(region):
            raise Http404
    if region and not region.startswith(region_prefix(programme.region_id)):
        raise Http404
    if region == programme.region_id:
        region = None
    return Scope(programme, region=region, cluster_id=cluster_id)


class DashboardView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The programme dashboard: each target against its actual, by region and by pilot cluster."""

    template_name = "programmes/dashboard.html"
    permission_required = "programmes.view_target"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        programme = get_object_or_404(Programme.objects.visible_to(self.request.user), slug=kwargs["slug"])
        scope = dashboard_scope(self.request, programme)
        data = dashboard(scope)
        metric = self.request.GET.get("metric") or ""
        if metric not in {m.name for m in data["metrics"]}:
            metric = data["metrics"][0].name
        ctx.update(data, ranked=metric, charts=dashboard_charts(data, metric))
        if self.request.user.has_perm("servicedesk.view_servicerequest"):
            from uplift.servicedesk.selectors import request_metrics

            # The one-stop service's requests filed in the programme's period, in the same slice.
            ctx["servicedesk"] = request_metrics(
                self.request.user,
                region=scope.region,
                cluster=scope.cluster_id,
                since=programme.start_date,
                until=programme.end_date,
            )
        return ctx


@login_required
def home(request):
    """Where a user lands: a province's officer on their programme's dashboard; everyone else on
    "my work", what waits for them (``uplift.core.views.my_work_page``, also at ``/work/``)."""
    if lands_on_dashboard(request.user) and request.user.has_perm("programmes.view_target"):
        programme = Programme.objects.visible_to(request.user).order_by("-start_date").first()
        if programme is not None:
            return redirect("programmes:dashboard", slug=programme.slug)
    return my_work_page(request)


def lands_on_dashboard(user) -> bool:
    """Whether the user's home is the programme dashboard: an officer of a province-level bureau
    (region code ``420000``: prefix ``42``), or the break-glass superuser. A city's or a county's
    officer lands on "my work", like every other role."""
    p = principal_of(user)
    return p.is_superuser or any(len(prefix) == 2 for prefix in p.region_prefixes)
