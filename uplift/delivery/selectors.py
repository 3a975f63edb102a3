"""Reads of delivery: the records each programme figure counts, and a project's KPI progress.

Only approved activities count. The figure functions take ``(programme, region=, cluster_id=)``
like every metric's records; list pages' drill-down filters call the same functions, so a figure
and the list behind it can never disagree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from uplift.accounts.access import in_subtree, region_prefix
from uplift.registry.models import ClusterMembership, Enterprise

from .choices import ActivityKind, ActivityStatus, KpiKind
from .models import Activity, Participation, ServiceProject


def _in_region(qs: QuerySet, lookup: str, region: str | None) -> QuerySet:
    return qs.filter(in_subtree(lookup, region_prefix(region))) if region else qs


def counted_activities(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """The programme's approved activities, held in a region or for one cluster."""
    qs = _in_region(
        Activity.objects.filter(programme=programme, status=ActivityStatus.APPROVED), "region_id", region
    )
    return qs.filter(cluster_id=cluster_id) if cluster_id else qs


def counted_participations(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Participations in the programme's approved activities, of enterprises in a region (the
    enterprise's, not the activity's), or in one cluster's activities."""
    qs = Participation.objects.filter(activity__programme=programme, activity__status=ActivityStatus.APPROVED)
    qs = _in_region(qs, "region_id", region)
    return qs.filter(activity__cluster_id=cluster_id) if cluster_id else qs


def _enterprises(
    participations: QuerySet, programme: Any, region: str | None, cluster_id: int | None
) -> QuerySet:
    """Distinct enterprises of ``participations``, in the region (the programme's by default) and,
    for a cluster, among its members: an enterprise in two clusters counts once in all, and
    under each cluster it belongs to."""
    qs = Enterprise.objects.filter(pk__in=participations.values("enterprise_id"))
    qs = _in_region(qs, "region_id", region or programme.region_id)
    if cluster_id:
        qs = qs.filter(pk__in=ClusterMembership.objects.filter(cluster_id=cluster_id).values("enterprise_id"))
    return qs


def participating_enterprises(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Distinct enterprises with a participation in an approved activity of the programme."""
    return _enterprises(counted_participations(programme), programme, region, cluster_id)


def trained_advanced_enterprises(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Distinct enterprises that took part in an approved training covering an advanced method."""
    trainings = counted_participations(programme).filter(
        activity__kind=ActivityKind.TRAINING,
        activity__in=Activity.objects.filter(methods__advanced=True).values("pk"),
    )
    return _enterprises(trainings, programme, region, cluster_id)


def kpi_actuals(project: ServiceProject) -> dict[str, int]:
    """What the project's approved records show, per KPI kind (the targets are set on its KPIs)."""
    activities = Activity.objects.filter(project=project, status=ActivityStatus.APPROVED)
    parts = Participation.objects.filter(activity__in=activities.values("pk"))
    totals = parts.aggregate(enterprises=Count("enterprise_id", distinct=True), managers=Sum("managers"))
    trained = parts.filter(
        activity__kind=ActivityKind.TRAINING,
        activity__in=Activity.objects.filter(methods__advanced=True).values("pk"),
    )
    return {
        KpiKind.ACTIVITIES: activities.count(),
        KpiKind.ENTERPRISES: totals["enterprises"] or 0,
        KpiKind.MANAGERS: totals["managers"] or 0,
        KpiKind.TRAINED_ADVANCED: trained.values("enterprise_id").distinct().count(),
    }


def kpi_progress(project: ServiceProject, kpis: QuerySet) -> list[dict[str, Any]]:
    """Each of ``kpis`` (already scoped) with the actual value and the share of the target reached."""
    actuals = kpi_actuals(project)
    rows = []
    for kpi in kpis:
        actual = actuals.get(kpi.kind, 0)
        rows.append(
            {
                "kpi": kpi,
                "actual": actual,
                "percent": round(100 * actual / float(kpi.target), 1) if kpi.target else None,
            }
        )
    return rows


def activity_counts(project: ServiceProject) -> dict[str, int]:
    """The project's activities by status (drafts included), for its page."""
    rows = project.activities.order_by().values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}
