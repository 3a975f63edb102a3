"""The dashboard's charts, as data: each function returns a JSON-ready spec that ``app.js`` draws
with Apache ECharts (``kind`` says how), with the URL of the records behind every bar or point.

Everything is read from the dashboard's figures or from the rollups (:mod:`.rollups`); the growth
chart reads the clusters' own yearly indicator rows (a few per cluster, not a ``GROUP BY``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from uplift.inspection import rates

from . import rollups
from .metrics import METRICS, Scope
from .metrics import path_of as reverse  # one reverse() per URL name, not per link


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def targets(kpis: list[dict[str, Any]]) -> dict[str, Any]:
    """Each metric with a target: the share of it reached (100% is the target)."""
    shown = [k for k in kpis if k["target"]]
    return {
        "kind": "hbar",
        "unit": "%",
        "categories": [str(k["label"]) for k in shown],
        "series": [{"name": _("Share of target reached"), "data": [k["progress"] for k in shown]}],
        "links": [k["url"] for k in shown],
        "mark": 100,
        "mark_label": _("Target"),
    }


def funnel(stages: list[dict[str, Any]]) -> dict[str, Any]:
    """The funnel's stages as distinct enterprises."""
    return {
        "kind": "funnel",
        "categories": [str(s["label"]) for s in stages],
        "series": [{"name": _("Enterprises"), "data": [s["value"] for s in stages]}],
        "links": [s["url"] for s in stages],
    }


def ranking(data: dict[str, Any], metric: str) -> dict[str, Any] | None:
    """The child regions ranked by ``metric``, with their share of the target where one is set."""
    names = [m.name for m in data["metrics"]]
    if metric not in names or not data["by_region"]:
        return None
    i = names.index(metric)
    rows = sorted(data["by_region"], key=lambda r: r["cells"][i]["value"] or 0, reverse=True)
    label = str(data["metrics"][i].label)
    return {
        "kind": "bar",
        "title": label,
        # "yuan" writes the axis as money (1.42亿元); other units are plain counts
        "unit": data["metrics"][i].unit,
        "categories": [r["name"] for r in rows],
        "series": [{"name": label, "data": [r["cells"][i]["value"] for r in rows]}],
        "links": [r["cells"][i]["url"] for r in rows],
        "targets": [r["cells"][i]["target"] for r in rows],
        "target_label": _("Target"),
    }


def _quarter(month: datetime.date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def _quarter_label(quarter: tuple[int, int]) -> str:
    return f"{quarter[0]}Q{quarter[1]}"


def _inspections_url(scope: Scope, since: datetime.date, until: datetime.date, **extra: Any) -> str:
    params = {"sampled_in": scope.programme.slug, **scope.params(), **extra}
    params.update(since=since.isoformat(), until=until.isoformat())
    return reverse("inspection:samplinginspection_list") + "?" + urlencode(params)


def pass_rate_trend(scope: Scope) -> dict[str, Any] | None:
    """The sampling pass rate by quarter with its 95% interval (Wilson; Clopper–Pearson for small
    samples), from the rollups of batches sampled and passed. None without a batch."""
    programme = scope.programme
    series = rollups.monthly(
        programme,
        ["batches_sampled", "batches_passed"],
        scope.region or programme.region_id,
        scope.cluster_id or 0,
    )
    sampled: dict[tuple[int, int], int] = defaultdict(int)
    passed: dict[tuple[int, int], int] = defaultdict(int)
    for month, n in series.get("batches_sampled", {}).items():
        sampled[_quarter(month)] += int(n)
    for month, n in series.get("batches_passed", {}).items():
        passed[_quarter(month)] += int(n)
    if not sampled:
        return None
    first, last = min(sampled), max(sampled)
    quarters = []
    q = first
    while q <= last:  # every quarter in between, a gap where none was sampled
        quarters.append(q)
        q = (q[0] + 1, 1) if q[1] == 4 else (q[0], q[1] + 1)
    points = [rates.pass_rate(passed[q], sampled[q]) for q in quarters]

    def bounds(q: tuple[int, int]) -> tuple[datetime.date, datetime.date]:
        year, n = q
        start = datetime.date(year, 3 * n - 2, 1)
        end = datetime.date(year + (n == 4), (3 * n) % 12 + 1, 1) - datetime.timedelta(days=1)
        return start, end

    return {
        "kind": "band",
        "unit": "%",
        "categories": [_quarter_label(q) for q in quarters],
        "series": [{"name": _("Pass rate"), "data": [_pct(p.rate) for p in points]}],
        "lower": [_pct(p.low) for p in points],
        "upper": [_pct(p.high) for p in points],
        "band_label": _("Interval (95%)"),
        "counts": [f"{p.passed}/{p.sampled}" if p.sampled else "" for p in points],
        "small": [p.small_sample for p in points],
        "links": [_inspections_url(scope, *bounds(q)) if sampled[q] else None for q in quarters],
        "periods": _programme_marks(programme, quarters),
    }


def _programme_marks(programme: Any, quarters: list[tuple[int, int]]) -> dict[str, Any]:
    """The quarters where the programme starts and ends, for a shaded area on the trend."""
    start, end = _quarter(programme.start_date), _quarter(programme.end_date)
    inside = [q for q in quarters if start <= q <= end]
    if not inside:
        return {}
    return {
        "from": _quarter_label(inside[0]),
        "to": _quarter_label(inside[-1]),
        "label": _("Programme period"),
    }


def before_after(scope: Scope, pilots: list[Any]) -> dict[str, Any] | None:
    """Each pilot cluster's pass rate the year before the programme and during it, from the
    rollups, with intervals, the difference's Newcombe interval and a two-proportion test (the
    paired McNemar test needs the batches themselves: the cluster's pass-rate page has it)."""
    programme = scope.programme
    if not pilots:
        return None
    year = programme.start_date.year - 1
    before = (datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    during = (programme.start_date.replace(day=1), programme.end_date.replace(day=1))
    rows = rollups.by_cluster_months(
        programme,
        ["batches_sampled", "batches_passed"],
        scope.region or programme.region_id,
        [p.cluster_id for p in pilots],
        (before[0], during[1]),
    )
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for metric, cluster, month, value in rows:
        for period, (lo, hi) in (("before", before), ("during", during)):
            if lo <= month <= hi:
                counts[(cluster, period, metric)] += int(value)
    shown, table = [], []
    for pilot in pilots:
        c = pilot.cluster_id
        first = rates.pass_rate(
            counts[(c, "before", "batches_passed")], counts[(c, "before", "batches_sampled")]
        )
        second = rates.pass_rate(
            counts[(c, "during", "batches_passed")], counts[(c, "during", "batches_sampled")]
        )
        if not first.sampled or not second.sampled:
            continue
        shown.append(pilot)
        diff = rates.newcombe(second.passed, second.sampled, first.passed, first.sampled)
        test = rates.two_proportion_test(first.passed, first.sampled, second.passed, second.sampled)
        table.append(
            {
                "pilot": pilot,
                "before": first,
                "during": second,
                "change": {"value": _pct(diff[0]), "low": _pct(diff[1]), "high": _pct(diff[2])},
                "p_value": test[1],
                # The cluster's pass-rate page with the same two periods, McNemar's test included.
                "rates_url": reverse("inspection:rates")
                + "?"
                + urlencode(
                    {
                        "cluster": c,
                        "before_from": datetime.date(year, 1, 1),
                        "before_to": datetime.date(year, 12, 31),
                        "after_from": programme.start_date,
                        "after_to": programme.end_date,
                    }
                ),
            }
        )
    if not shown:
        return None
    cluster_scope = [Scope(programme, region=scope.region, cluster_id=p.cluster_id) for p in shown]
    return {
        "kind": "bar",
        "unit": "%",
        "categories": [p.cluster.name for p in shown],
        "series": [
            {
                "name": _("%(year)s (before)") % {"year": year},
                "data": [_pct(r["before"].rate) for r in table],
            },
            {"name": _("Programme period"), "data": [_pct(r["during"].rate) for r in table]},
        ],
        "intervals": [
            [[_pct(r["before"].low), _pct(r["before"].high)] for r in table],
            [[_pct(r["during"].low), _pct(r["during"].high)] for r in table],
        ],
        "series_links": [
            [_inspections_url(s, before[0], datetime.date(year, 12, 31)) for s in cluster_scope],
            [_inspections_url(s, programme.start_date, programme.end_date) for s in cluster_scope],
        ],
        "rows": table,
    }


def comparison_rows(rows: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The before/after table as JSON (the API)."""
    return [
        {
            "cluster": r["pilot"].cluster_id,
            "name": r["pilot"].cluster.name,
            "before": r["before"].as_dict(),
            "during": r["during"].as_dict(),
            "change_points": r["change"],
            "p_value": r["p_value"],
            "comparison_url": r["rates_url"],
        }
        for r in rows or []
    ]


def growth(pilots: list[Any]) -> dict[str, Any] | None:
    """Each pilot cluster's compound annual growth of output value and of sales revenue, over the
    years its own indicator rows cover."""
    from uplift.indicators.choices import IndicatorKind
    from uplift.indicators.selectors import cagr, cluster_series

    kinds = [IndicatorKind.OUTPUT_VALUE, IndicatorKind.SALES_REVENUE]
    rows = cluster_series([p.cluster_id for p in pilots], kinds)
    found = {key: cagr(series) for key, series in rows.items()}
    shown = [p for p in pilots if any(found.get((p.cluster_id, k)) for k in kinds)]
    if not shown:
        return None
    url = reverse("indicators:economicindicator_list")

    def label(result: dict[str, Any] | None) -> str:
        return "" if not result else f"{result['from_year']}–{result['to_year']}"

    return {
        "kind": "bar",
        "unit": "%",
        "categories": [p.cluster.name for p in shown],
        "series": [
            {
                "name": str(kind.label),
                "data": [_pct((found.get((p.cluster_id, kind)) or {}).get("value")) for p in shown],
                "notes": [label(found.get((p.cluster_id, kind))) for p in shown],
            }
            for kind in kinds
        ],
        "series_links": [
            [url + "?" + urlencode({"cluster": p.cluster_id, "kind": kind.value}) for p in shown]
            for kind in kinds
        ],
    }


def dashboard_charts(data: dict[str, Any], metric: str | None = None) -> dict[str, Any]:
    """Every chart of the dashboard, keyed by the id of its ``json_script`` element."""
    scope = data["scope"]
    pilots = [row["pilot"] for row in data["by_cluster"]]
    comparison = before_after(scope, pilots)
    charts = {
        "chart-targets": targets(data["kpis"]),
        "chart-funnel": funnel(data["funnel"]),
        "chart-ranking": ranking(data, metric or next(iter(METRICS))),
        "chart-pass-rate": pass_rate_trend(scope),
        "chart-before-after": comparison and {k: v for k, v in comparison.items() if k != "rows"},
        "chart-growth": growth(pilots),
    }
    return {"specs": {k: v for k, v in charts.items() if v}, "comparison": comparison and comparison["rows"]}
