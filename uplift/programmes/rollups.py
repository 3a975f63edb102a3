"""Rollups: the programme's metrics summed by month, region and cluster, kept current by writes.

The dashboard and the charts read :class:`~uplift.programmes.models.Rollup` rows only, so a page
never runs a ``GROUP BY`` over the records (design rule 5). How the rows stay true:

*Facts.* Each metric counts *units* — enterprises, activities, standards, tenders… — and
:func:`facts` says, for some units, what each brings: one fact per (unit, region, cluster) with
the first month it counts there and its value (1, or an amount for a sum). Facts are read from the
same selectors the figures and the drill-down lists use, so the three cannot disagree. A metric
that adds its records up (:func:`additive`) keeps one fact per *cell* — month × region × cluster —
with the cell's total (:func:`cell_facts`): a sum needs nothing per record.

*Contributions.* :func:`contributions` turns facts into the rollup rows they make up: every fact
counts in its region and each ancestor region (county → prefecture → province), under its cluster
and under 0 (all clusters). A distinct unit counts once per row key, in the first month it counts
under it, so the sum of a key's rows over the months is still a distinct count: an enterprise
served in two clusters counts once in the province and once under each cluster.

*The ledger.* :class:`~uplift.programmes.models.RollupFact` keeps the facts last applied. When a
write changes records, :func:`refresh` recomputes the facts of the units it touched (or of the
cells their records were in before the write and are in after), compares them with the ledger and
adds the difference of their contributions to the rollup rows, in the write's transaction.
Applying a refresh twice changes nothing, which makes cascades and repeated saves safe.

*What a write touches.* :data:`TOUCHES` maps each model whose rows feed a metric to the units an
instance touches (a participation: its enterprise and itself; an activity: itself, its
participations and their enterprises). Signal handlers apply it to every save and delete, before
(the old state, so a unit a record leaves is refreshed too, and the cells of the additive
metrics its records were in: :func:`cells_before`) and after. Bulk writes that bypass
signals call :func:`saved` with what they wrote. ``uplift rollups rebuild`` recomputes everything
from the records, and ``uplift rollups verify`` reports any difference without writing.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Count, DateField, Min, Sum
from django.db.models.functions import Trunc
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from uplift.core.signals import bulk_saved

from .models import Programme, Rollup, RollupFact

#: A fact's key: (unit, leaf region code, cluster id or 0) -> (first month, value).
FactKey = tuple[int, str, int]
Facts = dict[FactKey, tuple[datetime.date, Decimal]]
#: A rollup row's key within a programme and metric: (month, region code, cluster id or 0).
RowKey = tuple[datetime.date, str, int]

_local = threading.local()
CHUNK = 2000


# --- Months and regions ----------------------------------------------------------------------------


def month_of(value: datetime.date | datetime.datetime) -> datetime.date:
    """The first day of the month of a date, or of a moment in the local time zone."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


_parents: dict[str, str | None] = {}


def ancestors(code: str) -> list[str]:
    """``code`` and the regions above it, nearest first (from the region table, so a county-level
    city under its province directly, like Xiantao 429004, has the province as its parent)."""
    from uplift.registry.models import Region

    if code not in _parents:
        _parents.update(Region.objects.values_list("code", "parent_id"))
        _parents.setdefault(code, None)
    chain = []
    current: str | None = code
    while current and len(chain) < 5:
        chain.append(current)
        current = _parents.get(current)
    return chain


# --- Facts and contributions -------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def facts(programme: Programme, metric: Any, units: Iterable[int] | None = None) -> Facts:
    """What each unit of ``metric`` brings to it in ``programme``: all units, or those named.

    A record without a region counts in the programme's region; one without a date (a pilot not
    yet started) in the programme's first month. For an additive metric the facts are its cells
    (:func:`cell_facts`): those of the named units' records, or all.
    """
    if additive(metric):
        return cell_facts(programme, metric, None if units is None else cells_of(programme, metric, units))
    if units is None:
        return _facts(programme, metric, None)
    out: Facts = {}
    for chunk in _chunks(sorted(set(units))):
        out.update(_facts(programme, metric, chunk))
    return out


def additive(metric: Any) -> bool:
    """Whether ``metric`` adds its records up (a count or a sum of them, not a distinct count): its
    ledger holds one fact per *cell* — month × region × cluster — instead of one per record, since
    a sum needs nothing more (5M participations make some 10,000 cells)."""
    return not _distinct(metric)


def cell_unit(month: datetime.date) -> int:
    """The ledger's unit of an additive metric's cell of ``month``: 201806 for June 2018 (the cell
    is the fact's key with its region and cluster)."""
    return month.year * 100 + month.month


def cell_month(unit: int) -> datetime.date:
    """The month of a cell's unit: June 2018 for 201806 (:func:`cell_unit` backwards)."""
    return datetime.date(unit // 100, unit % 100, 1)


def _cell(programme: Programme, when: Any, region: str | None, cluster: int | None) -> FactKey:
    month = month_of(when) if when else month_of(programme.start_date)
    return (cell_unit(month), region or programme.region_id, cluster or 0)


def cells_of(programme: Programme, metric: Any, units: Iterable[int]) -> set[FactKey]:
    """The cells the records of ``units`` count in now (an additive metric)."""
    fields = [metric.date_lookup, metric.region_lookup, metric.cluster_lookup]
    out: set[FactKey] = set()
    for chunk in _chunks(sorted({u for u in units if u is not None})):
        qs = metric.records(programme).order_by().filter(**{f"{metric.count_of}__in": chunk})
        out |= {_cell(programme, *row) for row in qs.values_list(*fields).distinct()}
    return out


def cell_facts(programme: Programme, metric: Any, cells: set[FactKey] | None = None) -> Facts:
    """An additive metric's facts: per cell, its month and the sum of its records' values (all
    cells, or the ones named). The records are narrowed to the cells' regions, clusters and months
    in the query, and to the cells themselves here."""
    qs = metric.records(programme).order_by()
    if cells is not None:
        if not cells:
            return {}
        qs = qs.filter(_cells_filter(programme, metric, cells))
    out: Facts = {}
    fields = [metric.date_lookup, metric.region_lookup, metric.cluster_lookup]
    if qs.query.distinct:  # (one row per record: summed here)
        rows = qs.values_list(*fields, metric.sum_of or models.Value(1)).iterator(chunk_size=CHUNK)
    else:  # summed by the database per month, region and cluster: a few rows per cell
        month = Trunc(metric.date_lookup, "month", output_field=DateField())
        rows = (
            qs.annotate(month_of_cell=month)
            .values_list("month_of_cell", metric.region_lookup, metric.cluster_lookup)
            .annotate(cell_value=Sum(metric.sum_of) if metric.sum_of else Count("pk"))
        )
    for when, region, cluster, amount in rows:
        key = _cell(programme, when, region, cluster)
        if cells is None or key in cells:
            month = cell_month(key[0])
            out[key] = (month, out.get(key, (month, Decimal(0)))[1] + Decimal(amount or 0))
    return out


def _cells_filter(programme: Programme, metric: Any, cells: set[FactKey]) -> models.Q:
    """Records possibly in ``cells``: in one of their regions, clusters and months (a record with
    no region, cluster or date counts in the programme's region, under 0, in its first month)."""
    regions = {r for _, r, _ in cells}
    clusters = {c for _, _, c in cells}
    months = {cell_month(u) for u, _, _ in cells}
    region, cluster, date = metric.region_lookup, metric.cluster_lookup, metric.date_lookup
    q = models.Q(**{f"{region}__in": regions})
    if programme.region_id in regions:
        q |= models.Q(**{f"{region}__isnull": True}) | models.Q(**{region: ""})
    in_cluster = models.Q(**{f"{cluster}__in": clusters - {0}})
    if 0 in clusters:
        in_cluster |= models.Q(**{f"{cluster}__isnull": True})
    moment = isinstance(_field(metric.records(programme).model, date), models.DateTimeField)

    def bound(month: datetime.date) -> datetime.date | datetime.datetime:
        # A moment's month is its month in the local time zone, as month_of and the rebuild say.
        return timezone.make_aware(datetime.datetime.combine(month, datetime.time.min)) if moment else month

    dated = models.Q()
    for month in months:  # (a few months: a write touches its records' months)
        nxt = (month + datetime.timedelta(days=32)).replace(day=1)
        dated |= models.Q(**{f"{date}__gte": bound(month), f"{date}__lt": bound(nxt)})
    if month_of(programme.start_date) in months:
        dated |= models.Q(**{f"{date}__isnull": True})
    return q & in_cluster & dated


def _field(model: type[models.Model], lookup: str) -> Any:
    """The model field a lookup (``activity__held_on``) ends at."""
    *path, name = lookup.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(name)


def _facts(programme: Programme, metric: Any, units: list[int] | None) -> Facts:
    qs = metric.records(programme).order_by()
    if units is not None:
        qs = qs.filter(**{f"{metric.count_of}__in": units})
    start = month_of(programme.start_date)
    distinct = _distinct(metric)
    out: Facts = {}

    def put(unit: int, region: str | None, cluster: int | None, when: Any, value: Any) -> None:
        key = (unit, region or programme.region_id, cluster or 0)
        month = month_of(when) if when else start
        value = Decimal(value or 0)
        if key in out:
            first, total = out[key]
            out[key] = (min(first, month), Decimal(1) if distinct else total + value)
        else:
            out[key] = (month, Decimal(1) if distinct else value)

    if metric.cluster_lookup is None:
        # Enterprises: their own region; under every cluster they belong to.
        from uplift.registry.models import ClusterMembership

        if metric.dated_by is None:
            rows = list(qs.values_list("pk", "region_id", metric.date_lookup))
        else:
            regions = dict(qs.values_list("pk", "region_id"))
            dated = metric.dated_by(programme).order_by()
            dated = dated.filter(enterprise_id__in=list(regions) if units is not None else qs.values("pk"))
            first = dict(
                dated.values("enterprise_id")
                .annotate(d=Min(metric.date_lookup))
                .values_list("enterprise_id", "d")
            )
            rows = [(pk, region, first.get(pk)) for pk, region in regions.items()]
        clusters: dict[int, list[int]] = defaultdict(list)
        members = ClusterMembership.objects.order_by().filter(
            enterprise_id__in=[r[0] for r in rows] if units is not None else qs.values("pk")
        )
        for enterprise_id, cluster_id in members.values_list("enterprise_id", "cluster_id"):
            clusters[enterprise_id].append(cluster_id)
        for pk, region, when in rows:
            for cluster in clusters.get(pk) or [0]:
                put(pk, region, cluster, when, 1)
        return out

    value = metric.sum_of or models.Value(1)
    fields = [metric.count_of, metric.date_lookup, metric.region_lookup, metric.cluster_lookup]
    for unit, when, region, cluster, amount in qs.values_list(*fields, value):
        put(unit, region, cluster, when, amount)
    return out


def _distinct(metric: Any) -> bool:
    """Whether a unit counts once however many facts it has: a distinct count, or a metric of
    enterprises (one fact per cluster an enterprise belongs to)."""
    return metric.distinct or metric.cluster_lookup is None


def contributions(metric: Any, unit_facts: Facts, root: str) -> dict[RowKey, Decimal]:
    """The rollup rows ``unit_facts`` make up: each fact in its region and every ancestor, under
    its cluster and under 0; a distinct unit once per row key, in its first month there.

    ``root`` is the programme's region: a record of the programme placed outside it (an activity
    in Hubei attended by a firm from Hunan) counts in the programme's total, as in its figures,
    though in none of its sub-regions.
    """

    def places(region: str) -> list[str]:
        codes = ancestors(region)
        return codes if root in codes else [*codes, root]

    out: dict[RowKey, Decimal] = defaultdict(Decimal)
    if _distinct(metric):
        first: dict[tuple[int, str, int], datetime.date] = {}
        for (unit, region, cluster), (month, _value) in unit_facts.items():
            for code in places(region):
                for c in {cluster, 0}:
                    key = (unit, code, c)
                    if key not in first or month < first[key]:
                        first[key] = month
        for (_unit, code, c), month in first.items():
            out[(month, code, c)] += 1
    else:
        for (_unit, region, cluster), (month, value) in unit_facts.items():
            for code in places(region):
                for c in {cluster, 0}:
                    out[(month, code, c)] += value
    return out


# --- Writing rollups ---------------------------------------------------------------------------------


def _ledger(programme: Programme, metric: Any, units: list[int]) -> Facts:
    out: Facts = {}
    for chunk in _chunks(units):
        rows = RollupFact.objects.filter(programme=programme, metric=metric.name, unit__in=chunk)
        for unit, region, cluster, month, value in rows.values_list(
            "unit", "region_id", "cluster_id", "month", "value"
        ):
            out[(unit, region, cluster)] = (month, value)
    return out


def _by_unit(unit_facts: Facts) -> dict[int, Facts]:
    out: dict[int, Facts] = defaultdict(dict)
    for key, fact in unit_facts.items():
        out[key[0]][key] = fact
    return out


_twins: dict[tuple, dict[str, str]] = {}


def twin_of(programme: Programme, metric: Any) -> str:
    """The first metric whose facts are ``metric``'s (itself when none): enterprises served and
    enterprises taking part, today. Worked out once per process and version of the programme."""
    key = (programme.pk, programme.version, programme.region_id, programme.start_date, programme.end_date)
    if key not in _twins:
        from .metrics import METRICS
        from .rebuild import signature

        first: dict[tuple, str] = {}
        _twins[key] = {m.name: first.setdefault(signature(programme, m), m.name) for m in METRICS.values()}
    return _twins[key][metric.name]


def refresh(
    programme: Programme,
    metric: Any,
    units: Iterable[int],
    cells: Iterable[FactKey] = (),
    memo: dict | None = None,
) -> int:
    """Bring the rollups of ``metric`` up to date for ``units`` after their records changed.

    For an additive metric the cells the units' records are in now, and ``cells`` (those they were
    in before the write, from :func:`cells_of`), are recomputed whole. Returns how many units (or
    cells) changed. Safe to call for units that did not change (nothing is written) and to call
    twice (the second call finds the ledger current). ``memo`` keeps the facts computed within one
    write for the metrics' twins (:func:`twin_of`).
    """
    units = sorted({u for u in units if u is not None})
    if additive(metric):
        keys = cells_of(programme, metric, units) | set(cells)
        if not keys:
            return 0
        fresh = cell_facts(programme, metric, keys)
        stored: Facts = {}
        ids: dict[FactKey, int] = {}
        for pk, u, r, c, m, v in RollupFact.objects.filter(
            programme=programme,
            metric=metric.name,
            unit__in={k[0] for k in keys},
            region_id__in={k[1] for k in keys},
            cluster_id__in={k[2] for k in keys},
        ).values_list("pk", "unit", "region_id", "cluster_id", "month", "value"):
            if (u, r, c) in keys:
                stored[(u, r, c)], ids[(u, r, c)] = (m, v), pk
        changed = sorted(k for k in keys if fresh.get(k) != stored.get(k))
        old = {k: stored[k] for k in changed if k in stored}
        new = {k: fresh[k] for k in changed if k in fresh}
        forget = [models.Q(pk__in=chunk) for chunk in _chunks([ids[k] for k in changed if k in ids])]
        return _write(programme, metric, old, new, forget, len(changed))
    if not units:
        return 0
    key = (programme.pk, twin_of(programme, metric), tuple(units))
    computed = memo.get(key) if memo is not None else None
    if computed is None:
        computed = facts(programme, metric, units)
        if memo is not None:
            memo[key] = computed
    fresh = _by_unit(computed)
    stored = _by_unit(_ledger(programme, metric, units))
    changed = [u for u in units if fresh.get(u, {}) != stored.get(u, {})]
    old = {k: v for u in changed for k, v in stored.get(u, {}).items()}
    new = {k: v for u in changed for k, v in fresh.get(u, {}).items()}
    forget = [models.Q(unit__in=chunk) for chunk in _chunks(changed)]
    return _write(programme, metric, old, new, forget, len(changed))


def _write(
    programme: Programme, metric: Any, old: Facts, new: Facts, forget: list[models.Q], changed: int
) -> int:
    """Replace the ledger's facts ``old`` (the rows the ``forget`` conditions select) by ``new``,
    and add the difference of their contributions to the rollup rows."""
    if not changed:
        return 0
    root = programme.region_id
    before, after = contributions(metric, old, root), contributions(metric, new, root)
    delta = {key: after.get(key, 0) - before.get(key, 0) for key in before.keys() | after.keys()}
    with transaction.atomic():
        _add(programme, metric.name, {k: v for k, v in delta.items() if v})
        for condition in forget:
            RollupFact.objects.filter(condition, programme=programme, metric=metric.name).delete()
        RollupFact.objects.bulk_create(
            [
                RollupFact(
                    programme=programme,
                    metric=metric.name,
                    unit=unit,
                    region_id=region,
                    cluster_id=cluster,
                    month=month,
                    value=value,
                )
                for (unit, region, cluster), (month, value) in new.items()
            ],
            batch_size=CHUNK,
        )
    return changed


def _add(programme: Programme, metric: str, delta: dict[RowKey, Decimal]) -> None:
    """Add ``delta`` to the rollup rows, creating the missing ones and deleting those that fall
    to zero. The rows are locked first, so two writes to one slice add up instead of racing."""
    if not delta:
        return
    months = {k[0] for k in delta}
    regions = {k[1] for k in delta}
    locked = Rollup.objects.select_for_update().filter(
        programme=programme,
        metric=metric,
        month__in=months,
        region_id__in=regions,
        cluster_id__in={k[2] for k in delta},
    )
    # Plain tuples, not model instances: a bulk write's delta has thousands of keys.
    rows = {
        (m, r, c): (pk, v)
        for pk, m, r, c, v in locked.values_list("pk", "month", "region_id", "cluster_id", "value")
    }
    # One UPDATE per distinct amount (a count's deltas are a few small numbers): far cheaper than
    # a CASE per row (``bulk_update``) for the thousands of rows a bulk write changes.
    changed: dict[Decimal, list[int]] = defaultdict(list)
    emptied, created = [], []
    for key, amount in delta.items():
        if key in rows:
            pk, value = rows[key]
            if value + amount:
                changed[amount].append(pk)
            else:
                emptied.append(pk)
        else:
            month, region, cluster = key
            created.append(
                Rollup(
                    programme=programme,
                    metric=metric,
                    month=month,
                    region_id=region,
                    cluster_id=cluster,
                    value=amount,
                )
            )
    for amount, pks in changed.items():
        for chunk in _chunks(pks):
            Rollup.objects.filter(pk__in=chunk).update(value=models.F("value") + amount)
    for chunk in _chunks(emptied):
        Rollup.objects.filter(pk__in=chunk).delete()
    Rollup.objects.bulk_create(created, batch_size=CHUNK)


def rebuild(
    programme: Programme | None = None,
    since: datetime.date | None = None,
    progress: Callable[[Programme, str, int, float], None] | None = None,
    metrics: Iterable[str] | None = None,
) -> int:
    """Recompute the rollups (of one programme, or all) from the records; with ``since``, only the
    rows of that month and later (the earlier ones are taken to be right); with ``metrics``, only
    those (a rule that decides them changed). Returns the row count; ``progress`` is told each
    metric's rows and seconds.

    The database does the work (:mod:`uplift.programmes.rebuild`): the same facts and rows as
    :func:`facts` and :func:`contributions` compute here, without reading the records into Python.
    """
    from . import rebuild as set_based

    programmes = [programme] if programme else list(Programme.objects.order_by("pk"))
    with suspended(), transaction.atomic():
        everything = programme is None and metrics is None
        count = set_based.rebuild(programmes, since, everything=everything, progress=progress, names=metrics)
    set_based.vacuum()
    return count


def differences(programme: Programme) -> list[str]:
    """Where the stored rollups of ``programme`` — its rows and the ledger of facts they were made
    from — differ from a computation from the records (empty when they agree): what ``uplift
    rollups verify`` prints and the tests assert."""
    from .metrics import METRICS

    problems = []
    for metric in METRICS.values():
        unit_facts = facts(programme, metric)
        ledger: Facts = {
            (u, r, c): (m, v)
            for u, r, c, m, v in RollupFact.objects.filter(
                programme=programme, metric=metric.name
            ).values_list("unit", "region_id", "cluster_id", "month", "value")
        }
        if wrong := {k for k in unit_facts.keys() | ledger.keys() if unit_facts.get(k) != ledger.get(k)}:
            first = min(wrong)
            unit, region, cluster = first
            problems.append(
                f"{metric.name}: {len(wrong)} facts of the ledger differ from the records, the first "
                f"unit {unit} region {region} cluster {cluster}: stored {ledger.get(first)}, "
                f"records give {unit_facts.get(first)}"
            )
        expected = {k: v for k, v in contributions(metric, unit_facts, programme.region_id).items() if v}
        stored = {
            (m, r, c): v
            for m, r, c, v in Rollup.objects.filter(programme=programme, metric=metric.name).values_list(
                "month", "region_id", "cluster_id", "value"
            )
        }
        for key in sorted(expected.keys() | stored.keys()):
            if expected.get(key, 0) != stored.get(key, 0):
                month, region, cluster = key
                problems.append(
                    f"{metric.name} {month:%Y-%m} region {region} cluster {cluster}: "
                    f"stored {stored.get(key, 0)}, records give {expected.get(key, 0)}"
                )
    return problems


# --- Reading rollups ---------------------------------------------------------------------------------


def _plain(value: Decimal | None) -> int | float:
    value = value or Decimal(0)
    return int(value) if value == value.to_integral_value() else float(value)


def _rows(programme: Programme) -> models.QuerySet:
    return Rollup.objects.filter(programme=programme).order_by()


def totals(programme: Programme, region: str, cluster_id: int = 0) -> dict[str, int | float]:
    """Every metric's figure for a region and a cluster (0: all), in one indexed query."""
    rows = (
        _rows(programme)
        .filter(region_id=region, cluster_id=cluster_id)
        .values("metric")
        .annotate(v=Sum("value"))
    )
    return {r["metric"]: _plain(r["v"]) for r in rows}


def by_region(
    programme: Programme, regions: list[str], cluster_id: int = 0
) -> dict[str, dict[str, int | float]]:
    """``{metric: {region: figure}}`` for the given regions (a region's children, say)."""
    rows = (
        _rows(programme)
        .filter(region_id__in=regions, cluster_id=cluster_id)
        .values("metric", "region_id")
        .annotate(v=Sum("value"))
    )
    out: dict[str, dict[str, int | float]] = defaultdict(dict)
    for r in rows:
        out[r["metric"]][r["region_id"]] = _plain(r["v"])
    return out


def by_cluster(
    programme: Programme, region: str, clusters: Iterable[int] | None = None
) -> dict[str, dict[int, int | float]]:
    """``{metric: {cluster id: figure}}`` within a region, for the given clusters (the pilots; by
    default every cluster with a figure)."""
    rows = _rows(programme).filter(region_id=region, cluster_id__gt=0)
    if clusters is not None:
        rows = rows.filter(cluster_id__in=list(clusters))
    out: dict[str, dict[int, int | float]] = defaultdict(dict)
    for r in rows.values("metric", "cluster_id").annotate(v=Sum("value")):
        out[r["metric"]][r["cluster_id"]] = _plain(r["v"])
    return out


def monthly(
    programme: Programme, metrics: Iterable[str], region: str, cluster_id: int = 0
) -> dict[str, dict[datetime.date, int | float]]:
    """``{metric: {month: what the month added}}``: the series the trend charts draw."""
    rows = (
        _rows(programme)
        .filter(metric__in=list(metrics), region_id=region, cluster_id=cluster_id)
        .values_list("metric", "month", "value")
        .order_by("month")
    )
    out: dict[str, dict[datetime.date, int | float]] = defaultdict(dict)
    for metric, month, value in rows:
        out[metric][month] = _plain(value)
    return out


def by_cluster_months(
    programme: Programme,
    metrics: Iterable[str],
    region: str,
    clusters: Iterable[int],
    months: tuple[datetime.date, datetime.date],
) -> list[tuple[str, int, datetime.date, Decimal]]:
    """The monthly rows ``(metric, cluster, month, value)`` of some clusters within a region,
    between two months: what the before/after comparison of the pilots sums over its periods."""
    return list(
        _rows(programme)
        .filter(metric__in=list(metrics), region_id=region, cluster_id__in=list(clusters))
        .filter(month__range=months)
        .values_list("metric", "cluster_id", "month", "value")
    )


# --- What writes touch -------------------------------------------------------------------------------
# Each function maps an instance to the units it touches, by unit kind (the label of the model a
# metric counts), and optionally the programmes concerned (all programmes when not said).

Touch = dict[str, set[int]]


def _activity_units(activity_ids: Iterable[int]) -> Touch:
    from uplift.delivery.models import Participation

    parts = list(
        Participation.objects.filter(activity_id__in=list(activity_ids)).values_list("pk", "enterprise_id")
    )
    return {"delivery.participation": {p for p, _ in parts}, "registry.enterprise": {e for _, e in parts}}


def _activity(a: Any) -> Touch:
    return {
        "delivery.activity": {a.pk},
        "programme": {a.programme_id},
        **(_activity_units([a.pk]) if a.pk else {}),
    }


def _participations(ps: list[Any]) -> Touch:
    """What participations touch, their activities' programmes read at once (one or 10,000)."""
    from uplift.delivery.models import Activity

    activities = {p.activity_id for p in ps}
    return {
        "delivery.participation": {p.pk for p in ps},
        "registry.enterprise": {p.enterprise_id for p in ps},
        "programme": set(Activity.objects.filter(pk__in=activities).values_list("programme_id", flat=True)),
    }


def _memberships(ms: list[Any]) -> Touch:
    """What cluster memberships touch, their enterprises' regions read at once."""
    from uplift.registry.models import Enterprise

    enterprises = {m.enterprise_id for m in ms}
    regions = set(Enterprise.objects.filter(pk__in=enterprises).values_list("region_id", flat=True))
    return {"registry.enterprise": enterprises, "region": regions}


def _quality_method(m: Any) -> Touch:
    from uplift.delivery.models import Activity

    return _activity_units(Activity.objects.filter(methods=m).values_list("pk", flat=True)) if m.pk else {}


def _record(kind: str) -> Callable[[Any], Touch]:
    def touch(record: Any) -> Touch:
        out: Touch = {kind: {record.pk}}
        if getattr(record, "programme_id", None):
            out["programme"] = {record.programme_id}
        return out

    return touch


def _standard_work(w: Any) -> Touch:
    return {"delivery.standard": {w.standard_id}, "programme": {w.programme_id}}


def _contracts(lot_ids: Iterable[int]) -> Touch:
    from uplift.procurement.models import Contract

    rows = list(Contract.objects.filter(award__lot_id__in=list(lot_ids)).values_list("pk", "institution_id"))
    return {"procurement.contract": {c for c, _ in rows}, "registry.serviceinstitution": {i for _, i in rows}}


def _tender(t: Any) -> Touch:
    lots = list(t.lots.values_list("pk", flat=True)) if t.pk else []
    return {
        "procurement.tender": {t.pk},
        "procurement.lot": set(lots),
        "programme": {t.programme_id},
        **_contracts(lots),
    }


def _lot(lot: Any) -> Touch:
    from uplift.procurement.models import Tender

    return {
        "procurement.tender": {lot.tender_id},
        "procurement.lot": {lot.pk},
        "programme": set(Tender.objects.filter(pk=lot.tender_id).values_list("programme_id", flat=True)),
        **_contracts([lot.pk]),
    }


def _contract(c: Any) -> Touch:
    from uplift.procurement.models import Lot

    lot = Lot.objects.filter(award__pk=c.award_id).values_list("pk", "tender__programme_id").first()
    return {
        "procurement.contract": {c.pk},
        "registry.serviceinstitution": {c.institution_id},
        "procurement.lot": {lot[0]} if lot else set(),
        "programme": {lot[1]} if lot else set(),
    }


def _enterprise(e: Any) -> Touch:
    return {"registry.enterprise": {e.pk}, "region": {e.region_id}}


def _self_assessment(a: Any) -> Touch:
    # Accepting (or a change to an accepted) self-assessment may make its enterprise an adopter.
    return {"registry.enterprise": {a.enterprise_id}, "region": {a.region_id}}


def _benchmark(b: Any) -> Touch:
    return {"registry.enterprise": {b.enterprise_id}, "programme": {b.programme_id}}


def _inspection(batch: Any) -> Touch:
    return {"inspection.samplinginspection": {batch.pk}, "region": {batch.region_id}}


#: Model label -> what an instance touches.
TOUCHES: dict[str, Callable[[Any], Touch]] = {
    "registry.enterprise": _enterprise,
    "registry.clustermembership": lambda m: _memberships([m]),
    "programmes.pilotproject": _record("programmes.pilotproject"),
    "delivery.activity": _activity,
    "delivery.participation": lambda p: _participations([p]),
    "delivery.qualitymethod": _quality_method,
    "delivery.problem": _record("delivery.problem"),
    "delivery.standard": _record("delivery.standard"),
    "delivery.standardwork": _standard_work,
    "delivery.evaluationreport": _record("delivery.evaluationreport"),
    "delivery.benefit": _record("delivery.benefit"),
    "procurement.tender": _tender,
    "procurement.lot": _lot,
    "procurement.contract": _contract,
    "inspection.samplinginspection": _inspection,
    "excellence.selfassessment": _self_assessment,
    "excellence.benchmark": _benchmark,
}


#: Model label -> what many instances touch, for the models whose touch reads the database: the
#: bulk writes' path (10,000 participations: one query instead of 10,000).
BULK_TOUCHES: dict[str, Callable[[list[Any]], Touch]] = {
    "delivery.participation": _participations,
    "registry.clustermembership": _memberships,
}


def _touch_of(instance: Any) -> Touch:
    if instance is None:
        return {}
    return TOUCHES[instance._meta.label_lower](instance)


def _merge(*touches: Touch) -> Touch:
    out: Touch = defaultdict(set)
    for touch in touches:
        for kind, ids in touch.items():
            out[kind] |= {i for i in ids if i is not None}
    return out


#: Before a write, per (programme id, metric name), the cells of the additive metrics its records
#: were in (:func:`cells_before`): the write may move them out, and its upkeep recomputes them.
Cells = dict[tuple[int, str], set[FactKey]]


def _targets(touch: Touch) -> Iterator[tuple[Programme, Any, set[int]]]:
    """(programme, metric, units) for every metric counting a kind of unit in ``touch``, in the
    programmes it names (or whose region holds what was written)."""
    from uplift.accounts.access import region_prefix

    from .metrics import METRICS

    touch = dict(touch)
    wanted = touch.pop("programme", None)
    regions = touch.pop("region", None)
    if not any(touch.values()):
        return
    programmes = list(Programme.objects.order_by("pk"))
    if wanted:
        programmes = [p for p in programmes if p.pk in wanted]
    elif regions:  # only the programmes whose region holds what was written (before or after)
        programmes = [
            p for p in programmes if any(r and r.startswith(region_prefix(p.region_id)) for r in regions)
        ]
    for programme in programmes:
        for metric in METRICS.values():
            units = touch.get(_unit_kind(metric, programme))
            if units:
                yield programme, metric, units


def cells_before(touch: Touch) -> Cells:
    """The cells the touched units' records are in, read before a write changes them."""
    return {
        (programme.pk, metric.name): cells_of(programme, metric, units)
        for programme, metric, units in _targets(touch)
        if additive(metric)
    }


def apply(touch: Touch, cells: Cells | None = None) -> None:
    """Refresh every metric counting a kind of unit in ``touch``, in the programmes it names, and
    the ``cells`` the records were in before the write."""
    cells = cells or {}
    memo: dict = {}
    for programme, metric, units in _targets(touch):
        refresh(programme, metric, units, cells.get((programme.pk, metric.name), ()), memo)


_unit_kinds: dict[str, str] = {}


def _unit_kind(metric: Any, programme: Programme) -> str:
    """A metric's unit kind, worked out once per process (every write asks for every metric's)."""
    if metric.name not in _unit_kinds:
        _unit_kinds[metric.name] = metric.unit_kind(programme)
    return _unit_kinds[metric.name]


def _touch_many(instances: Iterable[Any]) -> Touch:
    """What many instances touch together (one query per model where the touch reads the database)."""
    by_model: dict[str, list[Any]] = defaultdict(list)
    for instance in instances:
        by_model[instance._meta.label_lower].append(instance)
    touches = [
        BULK_TOUCHES[label](group) if label in BULK_TOUCHES else _merge(*(_touch_of(i) for i in group))
        for label, group in by_model.items()
        if label in TOUCHES
    ]
    return _merge(*touches)


def saved(instances: Iterable[Any]) -> None:
    """Bring the rollups up to date after ``instances`` were written without signals (a bulk
    create): the bulk writers call this in their transaction."""
    if is_suspended():
        return
    apply(_touch_many(instances))


@contextlib.contextmanager
def upkeep(before: Iterable[Any] = ()) -> Iterator[list[Any]]:
    """Keep the rollups in step around a bulk write that may change or delete stored records (an
    import, its revert): ``before`` are those records as stored; the block appends every record
    it wrote to the list it is given. The cells the records were in are read before the write, so
    a record that moved (another region, say) leaves its old cell as well as entering the new."""
    if is_suspended():
        yield []
        return
    touch = _touch_many(before)
    cells = cells_before(touch)
    written: list[Any] = []
    yield written
    apply(_merge(touch, _touch_many(written)), cells)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Skip rollup maintenance inside the block (a bulk load that rebuilds afterwards)."""
    previous = is_suspended()
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = previous


@contextlib.contextmanager
def bulk_load() -> Iterator[None]:
    """Write many records without per-row rollup upkeep, then rebuild the rollups once (the demo
    builder; ``settings.UPLIFT_BULK_LOAD`` names this for apps that may not import it)."""
    with suspended():
        yield
    rebuild()


def is_suspended() -> bool:
    return getattr(_local, "suspended", False)


# --- Signal handlers ---------------------------------------------------------------------------------


def _before_save(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or is_suspended():
        return
    old = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._rollup_touch = _touch_of(old)
    instance._rollup_cells = cells_before(instance._rollup_touch)


def _after_save(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or is_suspended():
        return
    touch = _merge(getattr(instance, "_rollup_touch", {}), _touch_of(instance))
    apply(touch, getattr(instance, "_rollup_cells", {}))
    instance._rollup_touch, instance._rollup_cells = {}, {}


def _before_delete(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if not is_suspended():
        instance._rollup_touch = _touch_of(instance)
        instance._rollup_cells = cells_before(instance._rollup_touch)


def _after_delete(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if not is_suspended():
        apply(getattr(instance, "_rollup_touch", {}), getattr(instance, "_rollup_cells", {}))


def _methods_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if is_suspended():
        return
    if action.startswith("pre_"):
        instance._rollup_cells = cells_before(_activity(instance))
    elif action.startswith("post_"):
        apply(_activity(instance), getattr(instance, "_rollup_cells", {}))
        instance._rollup_cells = {}


def _bulk_saved(sender: Any, instances: Iterable[Any], **kwargs: Any) -> None:
    if sender._meta.label_lower in TOUCHES:
        saved(instances)


def _programme_saved(
    sender: Any, instance: Programme, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    # A programme's dates or region decide what counts: recompute its rollups whole.
    if not created and not raw and not is_suspended():
        rebuild(instance)


def connect() -> None:
    """Connect the handlers (called once by the app config)."""
    from django.apps import apps

    for label in TOUCHES:
        model = apps.get_model(label)
        uid = f"rollups:{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid + ":pre_save")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + ":post_save")
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid + ":pre_delete")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + ":post_delete")
    bulk_saved.connect(_bulk_saved, dispatch_uid="rollups:bulk")
    activity = apps.get_model("delivery.activity")
    m2m_changed.connect(_methods_changed, sender=activity.methods.through, dispatch_uid="rollups:methods")
    post_save.connect(_programme_saved, sender=Programme, dispatch_uid="rollups:programme")
