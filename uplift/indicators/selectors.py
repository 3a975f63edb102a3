"""Growth computed from the yearly rows, always with the rows it comes from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from .models import EconomicIndicator


def series(qs: QuerySet) -> list[EconomicIndicator]:
    """The rows of one subject's indicator, by year."""
    return list(qs.order_by("year"))


def year_on_year(rows: list[EconomicIndicator]) -> list[dict[str, Any]]:
    """Each year's value and its growth over the previous year's (None when that year is missing
    or zero): (v_y − v_{y−1}) / v_{y−1}."""
    by_year = {r.year: r for r in rows}
    out = []
    for row in rows:
        previous = by_year.get(row.year - 1)
        growth = (row.value - previous.value) / previous.value if previous and previous.value else None
        out.append({"row": row, "growth": growth})
    return out


def cagr(rows: list[EconomicIndicator], from_year: int | None = None, to_year: int | None = None):
    """Compound annual growth between two years (the first and last by default):
    (v_to / v_from)^(1 / (to − from)) − 1, with the two rows it comes from; None without two
    years or from a zero."""
    if len(rows) < 2:
        return None
    by_year = {r.year: r for r in rows}
    first = by_year.get(from_year) if from_year else rows[0]
    last = by_year.get(to_year) if to_year else rows[-1]
    if first is None or last is None or last.year <= first.year or not first.value:
        return None
    years = last.year - first.year
    value = (float(last.value) / float(first.value)) ** (1 / years) - 1
    return {
        "value": value,
        "from_year": first.year,
        "to_year": last.year,
        "years": years,
        "rows": [first.pk, last.pk],
    }


def cluster_cagr(cluster_id: int, kind: str) -> dict[str, Any] | None:
    """A cluster's own series of ``kind``, first year to last (for ``uplift figures``)."""
    rows = series(EconomicIndicator.objects.filter(cluster_id=cluster_id, enterprise__isnull=True, kind=kind))
    return cagr(rows)


def as_percent(value: float | Decimal | None) -> float | None:
    return None if value is None else round(100 * float(value), 1)


def cluster_series(cluster_ids: list[int], kinds: Any) -> dict[tuple[int, str], list[EconomicIndicator]]:
    """Each cluster's own yearly rows of ``kinds`` (not its enterprises'), oldest first, by
    (cluster id, kind): one query for all the clusters."""
    found: dict[tuple[int, str], list[EconomicIndicator]] = {}
    for row in EconomicIndicator.objects.filter(
        cluster_id__in=cluster_ids, enterprise__isnull=True, kind__in=list(kinds)
    ).order_by("year"):
        found.setdefault((row.cluster_id, row.kind), []).append(row)
    return found
