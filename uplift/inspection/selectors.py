"""Pass rates counted from sampling inspections, with their intervals, and before/after comparisons.

Every function takes a queryset already narrowed to what the reader may see (``visible_to``) and
to the slice asked for; nothing here stores a rate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from . import rates
from .choices import InspectionResult

#: What a table of rates can be broken down by: (label, the field grouped on, the field named).
GROUPINGS = {
    "region": ("region_id", "region__name"),
    "cluster": ("cluster_id", "cluster__name"),
    "industry": ("industry_id", "industry__name"),
    "enterprise": ("enterprise_id", "enterprise__name"),
    "category": ("product_category", "product_category"),
    "year": ("sampled_on__year", "sampled_on__year"),
    "level": ("level", "level"),
}


def programme_batches(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Batches sampled from enterprises in the programme's region (or a region within it), or in
    one cluster, whenever sampled: a programme is judged against the years before it too."""
    from uplift.accounts.access import in_subtree, region_prefix

    from .models import SamplingInspection

    qs = SamplingInspection.objects.filter(
        in_subtree("region_id", region_prefix(region or programme.region_id))
    )
    return qs.filter(cluster_id=cluster_id) if cluster_id else qs


def programme_passed_batches(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """The batches of :func:`programme_batches` that passed."""
    return programme_batches(programme, region=region, cluster_id=cluster_id).filter(
        result=InspectionResult.PASS
    )


#: Batches sampled and passed, for ``aggregate`` or ``annotate``.
TALLY = {"sampled": Count("pk"), "passed": Count("pk", filter=Q(result=InspectionResult.PASS))}


def counts(qs: QuerySet) -> tuple[int, int]:
    """(passed, sampled) batches in ``qs``."""
    row = qs.order_by().aggregate(**TALLY)
    return row["passed"], row["sampled"]


def rate_of(qs: QuerySet) -> rates.Rate:
    return rates.pass_rate(*counts(qs))


def rates_by(qs: QuerySet, by: str) -> list[dict[str, Any]]:
    """The pass rate of each group of ``qs`` (``by`` one of :data:`GROUPINGS`), largest first,
    with its interval and the filter value that lists the group's batches."""
    key, name = GROUPINGS[by]
    rows = qs.order_by().values(key, name).annotate(**TALLY).order_by("-sampled", key)
    return [
        {"key": row[key], "name": row[name], "rate": rates.pass_rate(row["passed"], row["sampled"])}
        for row in rows
    ]


@dataclass(frozen=True)
class Comparison:
    """Two periods' pass rates and what can be said of the change."""

    before: rates.Rate
    after: rates.Rate
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    #: McNemar's test on the enterprises sampled in both periods (passing = every batch passed)
    paired: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "difference": None
            if self.difference is None
            else {"value": self.difference, "ci95": [self.low, self.high]},
            "p_value": self.p_value,
            "paired": self.paired,
        }


def compare(
    qs: QuerySet, before: tuple[datetime.date, datetime.date], after: tuple[datetime.date, datetime.date]
) -> Comparison:
    """The pass rates of ``qs`` in two periods (inclusive date ranges), the difference after −
    before with Newcombe's interval, the two-proportion test's p-value, and McNemar's test over
    the enterprises sampled in both."""
    first = qs.filter(sampled_on__range=before)
    second = qs.filter(sampled_on__range=after)
    rate1, rate2 = rate_of(first), rate_of(second)
    if not rate1.sampled or not rate2.sampled:
        return Comparison(rate1, rate2, None, None, None, None, None)
    diff, low, high = rates.newcombe(rate2.passed, rate2.sampled, rate1.passed, rate1.sampled)
    _z, p = rates.two_proportion_test(rate2.passed, rate2.sampled, rate1.passed, rate1.sampled)
    return Comparison(rate1, rate2, diff, low, high, p, _paired(first, second))


def _enterprise_passes(qs: QuerySet) -> dict[int, bool]:
    rows = (
        qs.order_by()
        .values("enterprise_id")
        .annotate(failed=Count("pk", filter=Q(result=InspectionResult.FAIL)))
    )
    return {r["enterprise_id"]: r["failed"] == 0 for r in rows}


def _paired(first: QuerySet, second: QuerySet) -> dict[str, Any] | None:
    before, after = _enterprise_passes(first), _enterprise_passes(second)
    both = before.keys() & after.keys()
    if not both:
        return None
    only_before = sum(1 for e in both if before[e] and not after[e])
    only_after = sum(1 for e in both if after[e] and not before[e])
    stat, p, exact = rates.mcnemar(only_before, only_after)
    return {
        "enterprises": len(both),
        "passed_before_only": only_before,
        "passed_after_only": only_after,
        "statistic": stat,
        "p_value": p,
        "exact": exact,
    }
