"""The indicators app's import kind: yearly economic figures of enterprises, clusters and regions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from uplift.imports.kinds import Context, Field, ImportKind, RowProblems
from uplift.imports.reading import parse_choice, parse_decimal, parse_int
from uplift.registry.imports import (
    cluster_named,
    code_cell,
    credit_code,
    enterprise_named,
    load_clusters,
    load_enterprises,
)
from uplift.registry.models import Region

from .choices import IndicatorKind
from .models import EconomicIndicator


def _kind(value: Any) -> str | None:
    return parse_choice(value, IndicatorKind)


class IndicatorImport(ImportKind):
    """Yearly figures, each of an enterprise (by credit code), a cluster (by name) or a region (by
    code), matched by indicator, year and subject: a figure already recorded is corrected."""

    name = "indicators"
    label = pgettext_lazy("import kind", "Economic indicators")
    key_label = gettext_lazy("Indicator, year and subject (enterprise, cluster or region)")
    model = EconomicIndicator
    key = ("kind", "year", "enterprise", "cluster", "region")
    permissions = ("indicators.add_economicindicator", "indicators.change_economicindicator")
    checked_here = ("enterprise", "cluster", "region")
    fields = [
        Field(
            "kind",
            ("指标", "Indicator", "指标名称"),
            _kind,
            required=True,
            example="产值",
            options=lambda: [str(label) for label in IndicatorKind.labels],
        ),
        Field("year", ("年份", "Year", "年度"), parse_int, required=True, example=2018),
        Field(
            "enterprise",
            ("企业统一社会信用代码", "Enterprise credit code", "统一社会信用代码", "Credit code"),
            credit_code,
            help=gettext_lazy("For an enterprise's figure. Give an enterprise, a cluster or a region."),
        ),
        Field(
            "cluster",
            ("产业集群", "Cluster", "Industrial cluster"),
            example="蕲春蕲艾",
            help=gettext_lazy("For a cluster's figure, by the cluster's name."),
        ),
        Field(
            "region",
            ("地区代码", "Region code", "Region"),
            code_cell,
            help=gettext_lazy("For a region's own figure: its six-digit GB/T 2260 code."),
        ),
        Field(
            "value",
            ("数值", "Value"),
            parse_decimal,
            required=True,
            example="1,600,000,000",
            help=gettext_lazy(
                "In the indicator's unit: yuan for output, revenue and brand value; persons; firms."
            ),
        ),
        Field("source", ("来源", "Source"), required=True, example="蕲春县统计年鉴2018"),
        Field("note", ("备注", "Note")),
    ]

    def prepare(self, ctx: Context) -> None:
        load_clusters(ctx)
        ctx.data["regions"] = set(Region.objects.values_list("code", flat=True))

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        load_enterprises(rows, ctx)
        # The figures already recorded of the batch's indicators and years for its subjects (more
        # than its rows' own, never fewer), for the model's check that a figure is not recorded
        # twice.
        clusters = {r.get("cluster") for r in rows} & ctx.data["clusters"].keys()
        regions = {r["region"] for r in rows if r.get("region")}
        figures = EconomicIndicator.objects.filter(
            Q(enterprise__in=[e.pk for e in ctx.data["enterprises"].values()])
            | Q(cluster__in=[ctx.data["clusters"][name].pk for name in clusters])
            | Q(enterprise=None, cluster=None, region__in=regions),
            kind__in={r["kind"] for r in rows},
            year__in={r["year"] for r in rows},
        ).order_by("pk")
        known: dict[tuple, list[EconomicIndicator]] = defaultdict(list)
        for figure in figures:
            known[figure.series_year()].append(figure)
        ctx.data["figures"] = known

    def supply(self, obj: Any, ctx: Context) -> None:
        obj.known_figures = ctx.data["figures"]

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        out, problems = dict(parsed), {}
        code, name, region = out.pop("enterprise", None), out.pop("cluster", None), out.pop("region", None)
        enterprise = enterprise_named(code, ctx, problems) if code else None
        cluster = cluster_named(name, ctx, problems) if name else None
        if not (code or name or region):
            problems["enterprise"] = _("Give the enterprise, the cluster or the region the figure is of.")
        elif region and region not in ctx.data["regions"]:
            problems["region"] = _("Unknown region %(code)s: give a six-digit GB/T 2260 code.") % {
                "code": region
            }
        if problems:
            raise RowProblems(problems)
        # The region is the enterprise's or the cluster's when the figure is theirs (as the model
        # copies it), so a figure already recorded is found by the same key.
        source = enterprise or cluster
        out.update(enterprise=enterprise, cluster=cluster, region_id=source.region_id if source else region)
        return out

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        if not ctx.in_area(obj.region_id):
            return {"region": _("%(subject)s is outside your bureau's area.") % {"subject": obj.subject}}
        return {}
