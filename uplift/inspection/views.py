"""Pages of sampling inspections: the list, a batch, and pass rates with their uncertainty."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from uplift.core.views import ObjectViews

from . import filtersets, selectors, services, tables
from . import forms as inspection_forms
from .choices import InspectionLevel
from .models import SamplingInspection

inspection_views = ObjectViews(
    model=SamplingInspection,
    table=tables.InspectionTable,
    filterset=filtersets.InspectionFilterSet,
    form=inspection_forms.InspectionForm,
    services=services,
    service_prefix="inspection",
    select_related=("enterprise", "region", "cluster"),
    detail_fields=[
        "batch_id",
        "enterprise",
        "region",
        "industry",
        "cluster",
        "product",
        "product_category",
        "sampled_on",
        "inspecting_body",
        "level",
        "result",
        "failed_items",
        "report_number",
    ],
)


class RatesForm(forms.Form):
    """How to break the rates down, and two periods to compare."""

    by = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        initial="year",
        choices=[
            ("year", _("Year")),
            ("region", _("Region")),
            ("cluster", _("Cluster")),
            ("industry", _("Industry")),
            ("category", _("Product category")),
            ("level", _("Level")),
            ("enterprise", _("Enterprise")),
        ],
    )
    before_from = forms.DateField(
        label=_("Before: from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before_to = forms.DateField(
        label=_("Before: to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    after_from = forms.DateField(
        label=_("After: from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    after_to = forms.DateField(
        label=_("After: to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        dates = [data.get(k) for k in ("before_from", "before_to", "after_from", "after_to")]
        if any(dates) and not all(dates):
            raise forms.ValidationError(_("To compare, give both periods, each from and to."))
        if all(dates):
            for start, end, field in ((dates[0], dates[1], "before_to"), (dates[2], dates[3], "after_to")):
                if end < start:
                    self.add_error(field, _("The period ends before it starts."))
            if dates[2] <= dates[1]:
                self.add_error("after_from", _("The second period starts after the first ends."))
        return data


class PassRatesView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Pass rates of the inspections the user may see, filtered like the list, broken down by
    year, region, cluster, industry, category, level or enterprise, each with its 95% interval;
    and two periods compared. Every count links to the batches it counts."""

    permission_required = "inspection.view_samplinginspection"
    template_name = "inspection/rates.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        qs = SamplingInspection.objects.visible_to(self.request.user)
        filterset = filtersets.InspectionFilterSet(params, queryset=qs, request=self.request)
        form = RatesForm(params or None)
        valid = filterset.is_valid() and (form.is_valid() if params else True)
        by = (form.cleaned_data.get("by") if form.is_bound and form.is_valid() else "") or "year"
        filters = {k: v for k, v in params.items() if k in filterset.form.fields and v}
        list_url = reverse("inspection:samplinginspection_list")
        ctx.update(filter=filterset, form=form, by=by)
        if not valid:
            return ctx
        scoped = filterset.qs
        table = selectors.rate_table(scoped, by)
        ctx["overall"], ctx["truncated"] = table.overall, table.truncated
        ctx["overall_url"] = f"{list_url}?{urlencode(filters)}"
        levels = dict(InspectionLevel.choices)
        ctx["rows"] = [
            {
                **row,
                "name": levels.get(row["key"], row["name"]) if by == "level" else row["name"],
                "url": f"{list_url}?{urlencode({**filters, **_drill(by, row['key'])})}",
            }
            for row in table.rows
        ]
        if form.is_bound and form.cleaned_data.get("before_from"):
            d = form.cleaned_data
            before, after = (d["before_from"], d["before_to"]), (d["after_from"], d["after_to"])
            ctx["comparison"] = comparison = selectors.compare(scoped, before, after)
            if comparison.difference is not None:
                ctx["change"] = {
                    "points": 100 * comparison.difference,
                    "low": 100 * comparison.low,
                    "high": 100 * comparison.high,
                    "p": _p(comparison.p_value),
                    "paired_p": _p(comparison.paired["p_value"]) if comparison.paired else None,
                }
            ctx["before_url"] = f"{list_url}?{urlencode({**filters, **_period(before)})}"
            ctx["after_url"] = f"{list_url}?{urlencode({**filters, **_period(after)})}"
        return ctx


def _p(p: float) -> str:
    """A p-value as printed: four decimals, or "< 0.0001"."""
    return "< 0.0001" if p < 0.0001 else f"= {p:.4f}"


def _period(period: tuple[datetime.date, datetime.date]) -> dict[str, str]:
    return {"since": period[0].isoformat(), "until": period[1].isoformat()}


def _drill(by: str, key: Any) -> dict[str, str]:
    """The list filter that shows one group's batches."""
    if by == "year":
        return _period((datetime.date(key, 1, 1), datetime.date(key, 12, 31)))
    field = {"category": "product_category"}.get(by, by)
    return {field: "" if key is None else str(key)}
