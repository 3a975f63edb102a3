"""The programme's metrics: one registered object per metric name.

A metric says what it counts (a queryset for a scope), how to break that count down by region and
by pilot cluster, and which list page shows the records behind it. The dashboard, the API and
``uplift figures`` read metrics only through this registry, so a later capability adds a metric by
registering it here (or in its own app) without touching any of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from uplift.accounts.access import in_subtree, region_prefix
from uplift.delivery import selectors as delivery
from uplift.inspection.selectors import programme_batches, programme_passed_batches
from uplift.procurement.selectors import procurement_contracts, procurement_lots, procurement_tenders
from uplift.registry.models import ClusterMembership

from . import selectors


@dataclass(frozen=True)
class Scope:
    """What a figure is computed for: a programme, optionally narrowed to a region and a cluster."""

    programme: Any
    region: str | None = None  # a GB/T 2260 code; None means the programme's own region
    cluster_id: int | None = None

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.region:
            params["region"] = self.region
        if self.cluster_id:
            params["cluster"] = self.cluster_id
        return params


@dataclass(frozen=True)
class Metric:
    """A named figure of the programme, computed from records.

    By default the figure is the number of records; ``distinct`` counts the distinct values of
    ``count_of`` among them instead (institutions among contracts, a tender once however many of
    its lots match), and ``sum_of`` adds up a field of them (an amount in yuan).
    """

    name: str
    label: str | Promise
    unit: str  # a stable unit code for machines ("enterprises", "yuan"); unit_label is for people
    unit_label: str | Promise
    records: Callable[..., QuerySet]  # selector(programme, region=, cluster_id=) -> queryset counted
    list_url: str  # URL name of the list the figure drills down to
    list_param: str  # the filter of that list that selects the same records
    region_lookup: str = "region_id"
    #: The records' pilot cluster; None: through the cluster memberships of the enterprises counted.
    cluster_lookup: str | None = None
    count_of: str = "pk"
    distinct: bool = False
    sum_of: str | None = None
    #: When a record counts, for the monthly rollups and the trend charts (a date or a moment).
    date_lookup: str = ""
    #: For a metric of enterprises: the records whose earliest ``date_lookup`` is when an
    #: enterprise first counts (its participations), or None when the date is the enterprise's own.
    dated_by: Callable[[Any], QuerySet] | None = None
    #: False for a figure only charts read (it is not a row of the dashboard's table).
    listed: bool = True

    def unit_kind(self, programme: Any) -> str:
        """The label of the model of what is counted (``registry.enterprise``): the rollups
        refresh this metric for the units of that kind a write touches."""
        model = self.records(programme).model
        if self.count_of != "pk":
            model = model._meta.get_field(self.count_of.removesuffix("_id")).related_model
        return model._meta.label_lower

    def queryset(self, scope: Scope) -> QuerySet:
        return self.records(scope.programme, region=scope.region, cluster_id=scope.cluster_id)

    def value(self, scope: Scope) -> int | float:
        qs = self.queryset(scope)
        if self.sum_of:
            return _plain_number(qs.aggregate(v=Sum(self.sum_of))["v"] or 0)
        if self.distinct:
            return qs.order_by().values(self.count_of).distinct().count()
        return qs.count()

    def _measure(self) -> Any:
        """The aggregate of one group of records: their sum, or their (distinct) count."""
        if self.sum_of:
            return Sum(self.sum_of)
        return Count(self.count_of, distinct=self.distinct)

    def url(self, scope: Scope) -> str:
        query = f"{self.list_param}={scope.programme.slug}"
        if scope.region:
            query += f"&region={scope.region}"
        if scope.cluster_id:
            query += f"&cluster={scope.cluster_id}"
        return f"{path_of(self.list_url)}?{query}"

    def by_region(self, scope: Scope, children: list[str]) -> dict[str, int | float]:
        """Values for each of the ``children`` region codes' subtrees, in one grouped query.

        Rows are grouped by their full six-digit code and folded into the children in Python: a
        province's children include county-level cities it administers directly (Xiantao 429004),
        whose subtree is not a four-digit prefix. A distinct count folds the distinct values
        themselves, so a value met under two codes of one child counts once.
        """
        prefixes = {code: region_prefix(code) for code in children}

        def child_of(code: str) -> str | None:
            return next((child for child, prefix in prefixes.items() if code.startswith(prefix)), None)

        qs = self.queryset(scope).order_by()
        if self.distinct:
            seen: dict[str, set] = {child: set() for child in children}
            for code, value in qs.values_list(self.region_lookup, self.count_of).distinct():
                if code and (child := child_of(code)):
                    seen[child].add(value)
            return {child: len(values) for child, values in seen.items()}
        out: dict[str, Any] = dict.fromkeys(children, 0)
        for row in qs.values(self.region_lookup).annotate(n=self._measure()):
            code = row[self.region_lookup]
            if code and (child := child_of(code)):
                out[child] += row["n"] or 0
        return {child: _plain_number(v) for child, v in out.items()}

    def by_cluster(self, scope: Scope) -> dict[int, int | float]:
        """Values per pilot cluster of the programme (a record may count under several)."""
        if self.cluster_lookup:
            rows = self.queryset(scope).order_by().values(self.cluster_lookup).annotate(n=self._measure())
            return {r[self.cluster_lookup]: _plain_number(r["n"] or 0) for r in rows}
        rows = (
            ClusterMembership.objects.filter(
                enterprise_id__in=self.queryset(scope).values("pk"),
                cluster__pilots__programme=scope.programme,
            )
            .order_by()
            .values("cluster_id")
            .annotate(n=Count("enterprise_id", distinct=True))
        )
        return {r["cluster_id"]: r["n"] for r in rows}


@functools.lru_cache(maxsize=64)
def path_of(url_name: str) -> str:  # (the URLconf is fixed for the life of the process)
    """The path of a list page (the dashboard builds hundreds of links: reverse each once)."""
    return reverse(url_name)


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    METRICS[metric.name] = metric
    return metric


ENTERPRISES = {"unit": "enterprises", "unit_label": pgettext_lazy("unit after a count", "enterprises")}

register(
    Metric(
        name="enterprises_served",
        label=_("Enterprises served"),
        **ENTERPRISES,
        records=selectors.served_enterprises,
        list_url="registry:enterprise_list",
        list_param="served_in",
        date_lookup="activity__held_on",
        dated_by=delivery.counted_participations,
    )
)
register(
    Metric(
        name="excellence_adopters",
        label=_("Enterprises adopting the excellence model"),
        **ENTERPRISES,
        records=selectors.adopter_enterprises,
        list_url="registry:enterprise_list",
        list_param="adopted_in",
        date_lookup="adopted_on",  # by the programme's adoption rule (uplift.excellence.selectors)
    )
)
register(
    Metric(
        name="benchmark_enterprises",
        label=_("Quality benchmark enterprises"),
        **ENTERPRISES,
        records=selectors.benchmark_enterprises,
        list_url="registry:enterprise_list",
        list_param="benchmark_in",
        date_lookup="benchmark_on",  # approved by the bureau (uplift.excellence.selectors)
    )
)
register(
    Metric(
        name="pilot_clusters",
        label=_("Pilot clusters"),
        unit="clusters",
        unit_label=pgettext_lazy("unit after a count", "clusters"),
        records=selectors.pilots,
        list_url="programmes:pilotproject_list",
        list_param="programme",
        region_lookup="cluster__region_id",
        cluster_lookup="cluster_id",
        date_lookup="started_on",
    )
)


# --- Delivery ------------------------------------------------------------------------------------
# Only approved activities count. An activity's place is where it was held and the cluster it
# served; a participation's region is its enterprise's.

register(
    Metric(
        name="activities",
        label=_("Quality-improvement activities"),
        unit="activities",
        unit_label=pgettext_lazy("unit after a count", "activities"),
        records=delivery.counted_activities,
        list_url="delivery:activity_list",
        list_param="counted_in",
        cluster_lookup="cluster_id",
        date_lookup="held_on",
    )
)
register(
    Metric(
        name="enterprises_participating",
        label=_("Enterprises taking part"),
        **ENTERPRISES,
        records=delivery.participating_enterprises,
        list_url="registry:enterprise_list",
        list_param="participated_in",
        date_lookup="activity__held_on",
        dated_by=delivery.counted_participations,
    )
)
register(
    Metric(
        name="manager_participations",
        label=_("Quality-manager participations"),
        unit="people",
        unit_label=pgettext_lazy("unit after a count", "people"),
        records=delivery.counted_participations,
        list_url="delivery:participation_list",
        list_param="counted_in",
        cluster_lookup="activity__cluster_id",
        sum_of="managers",
        date_lookup="activity__held_on",
    )
)
register(
    Metric(
        name="enterprises_trained_advanced",
        label=_("Enterprises trained in advanced quality methods"),
        **ENTERPRISES,
        records=delivery.trained_advanced_enterprises,
        list_url="registry:enterprise_list",
        list_param="trained_in",
        date_lookup="activity__held_on",
        dated_by=delivery.counted_trainings,
    )
)


register(
    Metric(
        name="problems_found",
        label=_("Quality problems found"),
        unit="problems",
        unit_label=pgettext_lazy("unit after a count", "problems"),
        records=delivery.found_problems,
        list_url="delivery:problem_list",
        list_param="found_in",
        cluster_lookup="cluster_id",
        date_lookup="found_on",
    )
)
register(
    Metric(
        name="problems_solved",
        label=_("Quality problems solved"),
        unit="problems",
        unit_label=pgettext_lazy("unit after a count", "problems"),
        records=delivery.solved_problems,
        list_url="delivery:problem_list",
        list_param="solved_in",
        cluster_lookup="cluster_id",
        date_lookup="closed_on",
    )
)
register(
    Metric(
        name="standards_drafted",
        label=_("Standards drafted or revised"),
        unit="standards",
        unit_label=pgettext_lazy("unit after a count", "standards"),
        records=delivery.standard_works,
        list_url="delivery:standardwork_list",
        list_param="drafted_in",
        cluster_lookup="cluster_id",
        count_of="standard_id",
        distinct=True,
        date_lookup="started_on",
    )
)
register(
    Metric(
        name="local_standards",
        label=_("Local standards drafted or revised"),
        unit="standards",
        unit_label=pgettext_lazy("unit after a count", "standards"),
        records=delivery.local_standard_works,
        list_url="delivery:standardwork_list",
        list_param="counted_in",
        cluster_lookup="cluster_id",
        count_of="standard_id",
        distinct=True,
        date_lookup="started_on",
    )
)
register(
    Metric(
        name="standard_evaluation_reports",
        label=_("Enterprise-standard evaluation reports"),
        unit="reports",
        unit_label=pgettext_lazy("unit after a count", "reports"),
        records=delivery.counted_evaluation_reports,
        list_url="delivery:evaluationreport_list",
        list_param="counted_in",
        cluster_lookup="cluster_id",
        date_lookup="issued_on",
    )
)
register(
    Metric(
        name="benefits_verified_yuan",
        label=_("Verified economic benefit"),
        unit="yuan",
        unit_label=pgettext_lazy("unit after an amount", "yuan"),
        records=delivery.verified_benefits,
        list_url="delivery:benefit_list",
        list_param="counted_in",
        cluster_lookup="cluster_id",
        sum_of="amount",
        date_lookup="verified_at",
    )
)


# --- Procurement ---------------------------------------------------------------------------------
# A lot is the service of one pilot, so a tender's, a lot's or a contract's place is the region and
# the cluster of its pilot. A draft tender is not procurement yet: it counts nowhere.


YUAN = {"unit": "yuan", "unit_label": pgettext_lazy("unit after an amount", "yuan")}

register(
    Metric(
        name="tenders",
        label=_("Tenders"),
        unit="tenders",
        unit_label=pgettext_lazy("unit after a count", "tenders"),
        records=procurement_tenders,
        list_url="procurement:tender_list",
        list_param="procured_in",
        region_lookup="lots__pilot__cluster__region_id",
        cluster_lookup="lots__pilot__cluster_id",
        distinct=True,
        date_lookup="published_at",
    )
)
register(
    Metric(
        name="institutions_contracted",
        label=_("Service institutions contracted"),
        unit="institutions",
        unit_label=pgettext_lazy("unit after a count", "institutions"),
        records=procurement_contracts,
        list_url="procurement:contract_list",
        list_param="procured_in",
        region_lookup="award__lot__pilot__cluster__region_id",
        cluster_lookup="award__lot__pilot__cluster_id",
        count_of="institution_id",
        distinct=True,
        date_lookup="signed_on",
    )
)
register(
    Metric(
        name="procurement_budget_yuan",
        label=_("Procurement budget"),
        **YUAN,
        records=procurement_lots,
        list_url="procurement:lot_list",
        list_param="procured_in",
        region_lookup="pilot__cluster__region_id",
        cluster_lookup="pilot__cluster_id",
        sum_of="budget_ceiling",
        date_lookup="tender__published_at",
    )
)
register(
    Metric(
        name="contracted_amount_yuan",
        label=_("Contracted amount"),
        **YUAN,
        records=procurement_contracts,
        list_url="procurement:contract_list",
        list_param="procured_in",
        region_lookup="award__lot__pilot__cluster__region_id",
        cluster_lookup="award__lot__pilot__cluster_id",
        sum_of="amount",
        date_lookup="signed_on",
    )
)


# The funnel's overlaps (the enterprises of a stage that reached the stage before), for rollups.
for _name, _label, _records, _param, _date in (
    (
        "served_adopters",
        _("Adopters also served"),
        selectors.served_adopters,
        "adopted_in",
        "adopted_on",
    ),
    (
        "adopting_benchmarks",
        _("Benchmarks also adopting"),
        selectors.adopting_benchmarks,
        "benchmark_in",
        "benchmark_on",
    ),
):
    register(
        Metric(
            name=_name,
            label=_label,
            **ENTERPRISES,
            records=_records,
            list_url="registry:enterprise_list",
            list_param=_param,
            date_lookup=_date,
            listed=False,
        )
    )


# --- Sampling inspections ------------------------------------------------------------------------
# Batches sampled from the programme region's enterprises, whenever sampled: the pass-rate trend
# and the clusters' pass rates are read from these two rollups (rates are stored as counts).

for _name, _label, _records, _param in (
    ("batches_sampled", _("Batches sampled"), programme_batches, "sampled_in"),
    ("batches_passed", _("Batches passed"), programme_passed_batches, "passed_in"),
):
    register(
        Metric(
            name=_name,
            label=_label,
            unit="batches",
            unit_label=pgettext_lazy("unit after a count", "batches"),
            records=_records,
            list_url="inspection:samplinginspection_list",
            list_param=_param,
            cluster_lookup="cluster_id",
            date_lookup="sampled_on",
            listed=False,
        )
    )


# --- Reading figures -----------------------------------------------------------------------------


def targets_for(scope: Scope) -> dict[str, Any]:
    """The targets set for the scope's region (the programme's own region by default)."""
    from .models import Target

    region = scope.region or scope.programme.region_id
    return {t.metric: t.value for t in Target.objects.filter(programme=scope.programme, region_id=region)}


def _plain_number(value: Any) -> Any:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


#: Figures that are not a count: name -> f(scope) -> a JSON-ready dict, or None where the figure
#: does not apply to the scope (a cluster's sampling comparison needs a cluster).
COMPARISONS: dict[str, Callable[[Scope], dict[str, Any] | None]] = {}


def pass_rate_change(scope: Scope) -> dict[str, Any] | None:
    """A cluster's sampling pass rate the year before the programme against the programme's
    period, with intervals, the difference's interval and the tests (``inspection.selectors``)."""
    import datetime

    from uplift.inspection.models import SamplingInspection
    from uplift.inspection.selectors import compare

    if not scope.cluster_id:
        return None
    programme = scope.programme
    qs = SamplingInspection.objects.filter(cluster_id=scope.cluster_id)
    if scope.region:
        qs = qs.filter(in_subtree("region_id", region_prefix(scope.region)))
    year = programme.start_date.year - 1
    before = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return compare(qs, before, (programme.start_date, programme.end_date)).as_dict()


COMPARISONS["pass_rate_change"] = pass_rate_change


def _cluster_growth(kind: str) -> Callable[[Scope], dict[str, Any] | None]:
    def growth(scope: Scope) -> dict[str, Any] | None:
        """A cluster's compound annual growth of ``kind``, its first recorded year to its last."""
        from uplift.indicators.selectors import cluster_cagr

        if not scope.cluster_id:
            return None
        result = cluster_cagr(scope.cluster_id, kind)
        return None if result is None else {k: result[k] for k in ("value", "from_year", "to_year")}

    return growth


COMPARISONS["output_value_cagr"] = _cluster_growth("output_value")
COMPARISONS["sales_revenue_cagr"] = _cluster_growth("sales_revenue")


def figures(scope: Scope) -> dict[str, dict[str, Any]]:
    """Every registered metric for ``scope``: ``{name: {"value", "target", "unit"}}``, the
    comparisons that apply to it (``pass_rate_change`` for a cluster) and ``funnel``, the three
    targets' stages with how many of each stage's enterprises also reached the one before.

    Counted from the records, not read from the rollups: this is what ``uplift figures`` prints and
    what the rollups are checked against."""
    targets = targets_for(scope)
    data: dict[str, dict[str, Any]] = {
        name: {"value": m.value(scope), "target": _plain_number(targets.get(name)), "unit": m.unit}
        for name, m in METRICS.items()
    }
    for name, compute in COMPARISONS.items():
        value = compute(scope)
        if value is not None:
            data[name] = value
    values = {name: data[name]["value"] for name in METRICS}
    data["funnel"] = [  # type: ignore[assignment]  (a list of stages, not a figure)
        {
            "stage": stage["name"],
            "value": stage["value"],
            "target": stage["target"],
            "also_in_previous_stage": stage["within_previous"]["value"] if stage["within_previous"] else None,
        }
        for stage in funnel(scope, values)
    ]
    return data


#: The programme's three targets as a funnel: served (10,000) → adopted the excellence model
#: (1,000) → benchmark (100); each stage with the metric counting those of its enterprises that
#: also reached the stage before.
FUNNEL = (
    ("enterprises_served", None),
    ("excellence_adopters", "served_adopters"),
    ("benchmark_enterprises", "adopting_benchmarks"),
)


def funnel(scope: Scope, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each stage of :data:`FUNNEL` as distinct enterprises, against its target, and how many of
    them also reached the stage before (an enterprise may adopt the model without having been
    served by the programme: the funnel shows it rather than assuming it). Every number links to
    its enterprises; the overlap's link combines the two stages' filters.

    ``values`` are the figures by metric name (the dashboard passes its rollups); without them
    the figures are counted from the records.
    """
    if values is None:
        values = {name: METRICS[name].value(scope) for stage in FUNNEL for name in stage if name}
    targets = targets_for(scope)
    stages: list[dict[str, Any]] = []
    previous: Metric | None = None
    for name, overlap in FUNNEL:
        metric = METRICS[name]
        value = values.get(name, 0)
        stage = {
            "name": name,
            "label": metric.label,
            "value": value,
            "target": _plain_number(targets.get(name)),
            "url": metric.url(scope),
            "within_previous": None,
        }
        stage["progress"] = _progress(value, stage["target"])
        if previous is not None and overlap:
            both = values.get(overlap, 0)
            stage["within_previous"] = {
                "value": both,
                "share": _progress(both, value),
                "url": metric.url(scope) + "&" + urlencode({previous.list_param: scope.programme.slug}),
                "of": previous.label,
            }
        stages.append(stage)
        previous = metric
    return stages


def _progress(value: Any, target: Any) -> float | None:
    return round(100 * float(value) / float(target), 1) if target else None


def listed() -> dict[str, Metric]:
    """The metrics of the dashboard's tables (not those only charts read)."""
    return {name: m for name, m in METRICS.items() if m.listed}


def dashboard(scope: Scope) -> dict[str, Any]:
    """Each metric against its target for the scope, broken down by child region and by pilot.

    Every figure is read from the rollups (:mod:`uplift.programmes.rollups`): a handful of indexed
    queries over summary rows, whatever the number of records. Every number comes with the URL of
    the list of records it counts.
    """
    from uplift.registry.models import Region

    from . import rollups
    from .models import Target

    programme = scope.programme
    region_code = scope.region or programme.region_id
    region = Region.objects.get(code=region_code)
    cluster = scope.cluster_id or 0
    targets = targets_for(scope)
    totals = rollups.totals(programme, region_code, cluster)
    metrics = listed()
    kpis = []
    for name, m in metrics.items():
        value = totals.get(name, 0)
        target = _plain_number(targets.get(name))
        kpis.append(
            {
                "name": name,
                "label": m.label,
                "unit": m.unit,
                "unit_label": m.unit_label,
                "value": value,
                "target": target,
                "progress": _progress(value, target),
                "url": m.url(scope),
            }
        )

    children = list(Region.objects.filter(parent_id=region_code).order_by("code"))
    codes = [c.code for c in children]
    share = {
        (t.metric, t.region_id): _plain_number(t.value)
        for t in Target.objects.filter(programme=programme, region_id__in=codes)
    }
    counts = rollups.by_region(programme, codes, cluster) if codes else {}
    by_region = [
        {
            "code": child.code,
            "name": child.name,
            "cells": [
                {
                    "metric": name,
                    "value": counts.get(name, {}).get(child.code, 0),
                    "target": share.get((name, child.code)),
                    "url": m.url(Scope(programme, region=child.code, cluster_id=scope.cluster_id)),
                }
                for name, m in metrics.items()
            ],
        }
        for child in children
    ]
    # Regions with nothing to show would only lengthen the table.
    by_region = [row for row in by_region if any(c["value"] or c["target"] for c in row["cells"])]

    pilots = list(
        selectors.pilots(programme, region=scope.region, cluster_id=scope.cluster_id).select_related(
            "cluster__region", "institution"
        )
    )
    per_cluster = rollups.by_cluster(programme, region_code, [p.cluster_id for p in pilots])
    by_cluster = [
        {
            "pilot": pilot,
            "cluster": pilot.cluster,
            "institution": pilot.institution,
            "cells": [
                {
                    "metric": name,
                    "value": per_cluster.get(name, {}).get(pilot.cluster_id, 0),
                    "url": m.url(Scope(programme, region=scope.region, cluster_id=pilot.cluster_id)),
                }
                for name, m in metrics.items()
            ],
            "pass_rate": _rate(
                per_cluster.get("batches_passed", {}).get(pilot.cluster_id, 0),
                per_cluster.get("batches_sampled", {}).get(pilot.cluster_id, 0),
            ),
        }
        for pilot in pilots
    ]
    return {
        "programme": programme,
        "region": region,
        "scope": scope,
        "kpis": kpis,
        "metrics": list(metrics.values()),
        "by_region": by_region,
        "by_cluster": by_cluster,
        "funnel": funnel(scope, totals),
    }


def _rate(passed: int | float, sampled: int | float) -> Any:
    from uplift.inspection.rates import pass_rate

    return pass_rate(int(passed), int(sampled)) if sampled else None
