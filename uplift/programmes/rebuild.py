"""The full rollup rebuild, set-based: the database computes the facts and the rows.

:func:`uplift.programmes.rollups.facts` and :func:`~uplift.programmes.rollups.contributions` say
in Python what the rollups hold, and the writes' upkeep uses them for the few units a write
touches. Rebuilding everything that way reads every fact into Python: at national scale (8M facts)
that took 397 s. Here the same two steps are two ``INSERT … SELECT`` statements per metric, the
metric's own queryset compiled into the first:

1. *Facts* into the ledger (:class:`~uplift.programmes.models.RollupFact`): the metric's records
   (exactly the rows ``facts`` iterates, including a selector's ``DISTINCT``), grouped by unit,
   region (the programme's when missing) and cluster (0 when none) with the first month (the
   programme's first when undated) and the value 1 for a distinct count; for an additive metric,
   grouped by cell (month, region, cluster) with the sum.
2. *Rows* (:class:`~uplift.programmes.models.Rollup`) from the facts, joined to a table of each
   region's places (itself, its ancestors, and the programme's region when outside it), under the
   fact's cluster and under 0; a distinct unit once per row key in its first month there. Sums and
   counts of enterprises (one region and one month each) are totalled per cell first.

``uplift rollups verify`` (and the tests) compare the result with the Python computation.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.db.models import DateField, F, Min, QuerySet, Value
from django.db.models.functions import Trunc

from .models import Programme, Rollup, RollupFact

PLACES = "uplift_rollup_places"
FACTS = "uplift_rollup_facts"
#: The ledger's unique constraint (``RollupFact.Meta``), dropped and re-added by a rebuild.
LEDGER_KEY = "rollup_fact_unique"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, tuple(params)


def _as_date(expr: str) -> str:
    """A month computed by ``Trunc`` as a date (PostgreSQL's ``DATE_TRUNC`` gives a timestamp;
    SQLite's gives the date's text already)."""
    return f"CAST({expr} AS date)" if connection.vendor == "postgresql" else expr


def _month(lookup: str) -> Trunc:
    return Trunc(lookup, "month", output_field=DateField())


def _record_rows(programme: Programme, metric: Any) -> tuple[str, tuple]:
    """SELECT ru, rr, rc, rd, rv: one row per record the metric counts (exactly the rows
    ``rollups._facts`` reads), with its unit, region, cluster, month and value."""
    qs = metric.records(programme).order_by()
    rows = qs.values(
        ru=F(metric.count_of),
        rr=F(metric.region_lookup),
        rc=F(metric.cluster_lookup),
        rd=_month(metric.date_lookup),
        rv=F(metric.sum_of) if metric.sum_of else Value(1),
    )
    return _sql(rows)


def _enterprise_rows(programme: Programme, metric: Any) -> tuple[str, tuple]:
    """SELECT ru, rr, rc, rd, rv for a metric of enterprises: each enterprise under each cluster
    it belongs to (NULL: none), dated by its own field or by its earliest dated record."""
    from uplift.registry.models import ClusterMembership

    qs = metric.records(programme).order_by()
    members, m_params = _sql(
        ClusterMembership.objects.order_by().values(mu=F("enterprise_id"), mc=F("cluster_id"))
    )
    if metric.dated_by is None:
        enterprises, e_params = _sql(qs.values(eu=F("pk"), er=F("region_id"), ed=_month(metric.date_lookup)))
        dated, d_params = "", ()
        date = "e.ed"
    else:
        enterprises, e_params = _sql(qs.values(eu=F("pk"), er=F("region_id")))
        first = metric.dated_by(programme).order_by().values("enterprise_id")
        first_sql, d_params = _sql(
            first.annotate(fd=Min(_month(metric.date_lookup))).values("enterprise_id", "fd")
        )
        dated = f" LEFT JOIN ({first_sql}) AS d ON d.enterprise_id = e.eu"
        date = "d.fd"
    sql = (
        f"SELECT e.eu AS ru, e.er AS rr, m.mc AS rc, {date} AS rd, 1 AS rv FROM ({enterprises}) AS e "  # noqa: S608 (compiled querysets)
        f"LEFT JOIN ({members}) AS m ON m.mu = e.eu{dated}"
    )
    return sql, e_params + m_params + d_params


def _places(root: str) -> None:
    """Fill the places table for a programme of region ``root``: (leaf, place) for every region."""
    from uplift.registry.models import Region

    from .rollups import ancestors

    codes = list(Region.objects.values_list("code", flat=True))
    pairs = []
    for code in codes:
        chain = ancestors(code)
        pairs += [(code, place) for place in (chain if root in chain else [*chain, root])]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {PLACES} (leaf, place) VALUES (%s, %s)", pairs)  # noqa: S608
        _analyze(cursor, PLACES)


def _month_code(expr: str) -> str:
    """SQL for :func:`~uplift.programmes.rollups.cell_unit` of a month (201806)."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {expr}) * 100 + EXTRACT(MONTH FROM {expr}) AS bigint)"
    return f"CAST(strftime('%%Y%%m', {expr}) AS integer)"


def signature(programme: Programme, metric: Any) -> tuple:
    """What decides a metric's facts: two metrics with the same signature (enterprises served and
    enterprises taking part, today) have the same facts and rows, built once."""
    from .rollups import _distinct

    enterprises = metric.cluster_lookup is None
    rows, params = (_enterprise_rows if enterprises else _record_rows)(programme, metric)
    return (enterprises, _distinct(metric), rows, params)


def rebuild_metric(
    programme: Programme,
    metric: Any,
    since: datetime.date | None,
    fresh: bool = False,
    built: dict[tuple, str] | None = None,
) -> int:
    """Replace ``metric``'s ledger and rollup rows (those from ``since`` on) for ``programme``
    (``fresh``: the ledger was emptied already); ``built`` maps the signatures of the metrics
    rebuilt before to their names, and a metric with a twin there is copied from it. Returns the
    number of rollup rows written. Needs :class:`scratch_tables` around it."""
    key = {"programme_id": programme.pk, "metric": metric.name}
    if not fresh:
        RollupFact.objects.filter(**key).delete()
    old = Rollup.objects.filter(**key)
    old.filter(month__gte=since).delete() if since else old.delete()

    facts_of = signature(programme, metric)
    built = {} if built is None else built
    if facts_of in built:
        return _copy(programme, built[facts_of], metric.name, since)
    built[facts_of] = metric.name
    enterprises, distinct, rows, params = facts_of
    start = programme.start_date.replace(day=1)
    fact, rollup = _q(RollupFact._meta.db_table), _q(Rollup._meta.db_table)
    records = (
        "SELECT ru AS u, COALESCE(NULLIF(rr, ''), %s) AS r, COALESCE(rc, 0) AS c, "  # noqa: S608
        f"{_as_date('COALESCE(rd, %s)')} AS d, rv AS v FROM ({rows}) AS rec"
    )
    with connection.cursor() as cursor:
        # The facts go to a temporary table first (no write-ahead log, no triggers), are copied
        # to the ledger, and the rows are grouped from it rather than from the whole ledger.
        # (TRUNCATE on PostgreSQL: a DELETE leaves the dead rows of the last metric, millions
        # perhaps, for every later scan to read; nothing vacuums a temporary table.)
        cursor.execute(f"TRUNCATE {FACTS}" if connection.vendor == "postgresql" else f"DELETE FROM {FACTS}")  # noqa: S608
        if distinct:  # a fact per unit, region and cluster, in its first month
            facts = f"SELECT u, r, c, MIN(d), 1 FROM ({records}) AS f GROUP BY u, r, c"  # noqa: S608
        else:  # a fact per cell: month × region × cluster, its records' sum
            facts = (
                f"SELECT {_month_code('d')}, r, c, d, SUM(COALESCE(v, 0)) FROM ({records}) AS f "  # noqa: S608
                "GROUP BY r, c, d"
            )
        cursor.execute(
            f"INSERT INTO {FACTS} (unit, region_id, cluster_id, month, value) {facts}",  # noqa: S608
            (programme.region_id, start, *params),
        )
        _analyze(cursor, FACTS)
        cursor.execute(
            f"INSERT INTO {fact} (programme_id, metric, unit, region_id, cluster_id, month, value) "  # noqa: S608
            f"SELECT %s, %s, unit, region_id, cluster_id, month, value FROM {FACTS}",
            (programme.pk, metric.name),
        )
        if distinct and not enterprises:
            # Per unit and place, the first month: a unit in two counties of one city counts once
            # in the city. The rows under 0 take each unit's first month over its clusters.
            facts = (
                f"SELECT unit, region_id, cluster_id AS c, month AS m FROM {FACTS} WHERE cluster_id <> 0 "  # noqa: S608
                f"UNION ALL SELECT unit, region_id, 0, MIN(month) FROM {FACTS} GROUP BY unit, region_id"
            )
            under = (
                f"SELECT x.unit, p.place, x.c, MIN(x.m) AS m FROM ({facts}) AS x "  # noqa: S608
                f"JOIN {PLACES} AS p ON p.leaf = x.region_id GROUP BY x.unit, p.place, x.c"
            )
            measure = "COUNT(*)"
        else:
            # Each cell (month × county × cluster) totalled first, then spread over the places. A
            # sum adds up; so does a count of enterprises, each in one region and one month (the
            # rows under 0 count an enterprise of several clusters once).
            total = "COUNT(*)" if distinct else "SUM(value)"
            under_0 = "COUNT(DISTINCT unit)" if distinct else "SUM(value)"
            cells = (
                f"SELECT month AS m, region_id, cluster_id AS c, {total} AS v FROM {FACTS} "  # noqa: S608
                f"WHERE cluster_id <> 0 GROUP BY month, region_id, cluster_id "
                f"UNION ALL SELECT month, region_id, 0, {under_0} FROM {FACTS} GROUP BY month, region_id"
            )
            under = (
                f"SELECT x.m, p.place, x.c, x.v FROM ({cells}) AS x "  # noqa: S608
                f"JOIN {PLACES} AS p ON p.leaf = x.region_id"
            )
            measure = "SUM(v)"
        cursor.execute(
            f"INSERT INTO {rollup} (programme_id, metric, month, region_id, cluster_id, value) "  # noqa: S608
            f"SELECT %s, %s, m, place, c, {measure} FROM ({under}) AS y "
            + ("WHERE m >= %s " if since else "")
            + f"GROUP BY m, place, c HAVING {measure} <> 0",
            (programme.pk, metric.name, *((since,) if since else ())),
        )
        return cursor.rowcount


def _copy(programme: Programme, twin: str, name: str, since: datetime.date | None) -> int:
    """Give metric ``name`` the ledger and rollup rows just built for its twin."""
    fact, rollup = _q(RollupFact._meta.db_table), _q(Rollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {fact} (programme_id, metric, unit, region_id, cluster_id, month, value) "  # noqa: S608
            f"SELECT programme_id, %s, unit, region_id, cluster_id, month, value FROM {fact} "
            "WHERE programme_id = %s AND metric = %s",
            (name, programme.pk, twin),
        )
        cursor.execute(
            f"INSERT INTO {rollup} (programme_id, metric, month, region_id, cluster_id, value) "  # noqa: S608
            f"SELECT programme_id, %s, month, region_id, cluster_id, value FROM {rollup} "
            "WHERE programme_id = %s AND metric = %s" + (" AND month >= %s" if since else ""),
            (name, programme.pk, twin, *((since,) if since else ())),
        )
        return cursor.rowcount


def _analyze(cursor: Any, table: str) -> None:
    """Give the planner the temporary table's statistics (it has none, and guessed them badly
    enough to compile queries of a few rows as if they read millions)."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {table}")


class scratch_tables:
    """The temporary tables of a programme's rebuild: (leaf, place) for its region, and the facts
    of the metric being rebuilt."""

    def __init__(self, root: str) -> None:
        self.root = root

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {PLACES} (leaf varchar(12), place varchar(12))")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {FACTS} (unit bigint, region_id varchar(12), cluster_id bigint, "
                "month date, value decimal(20, 2))"
            )
        _places(self.root)

    def __exit__(self, *exc: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {PLACES}")
            cursor.execute(f"DROP TABLE {FACTS}")


def rebuild(
    programmes: list[Programme],
    since: datetime.date | None = None,
    everything: bool = False,
    progress: Callable[[Programme, str, int, float], None] | None = None,
    names: Iterable[str] | None = None,
) -> int:
    """Rebuild every metric of ``programmes`` (or those ``names``); the caller holds the
    transaction. ``progress`` is told each metric's rows and seconds as it is done.

    On PostgreSQL the ledger's unique index is dropped while it is refilled and built again at the
    end (one sorted build instead of millions of random insertions), and the grouping gets memory
    enough not to spill to disk; with ``everything`` (all the programmes) the ledger is emptied at
    once. Writes to the ledger wait until the rebuild commits.
    """
    from .metrics import METRICS

    count = 0
    with _bulk_mode(everything, reindex=names is None) as emptied:
        for programme in programmes:
            built: dict[tuple, str] = {}
            with scratch_tables(programme.region_id):
                for metric in METRICS.values():
                    if names is not None and metric.name not in names:
                        continue
                    started = time.perf_counter()
                    rows = rebuild_metric(programme, metric, since, fresh=emptied, built=built)
                    if progress:
                        progress(programme, metric.name, rows, time.perf_counter() - started)
                    count += rows
    return count


class _bulk_mode:
    """PostgreSQL: more memory for the grouping, and the ledger's unique index rebuilt once.
    Entering says whether the ledger was emptied (``everything``, on PostgreSQL). A rebuild of a
    few metrics (``reindex=False``: a rule changed) keeps the index: it writes few rows, and a
    page's write must not rebuild an index over millions."""

    def __init__(self, everything: bool, reindex: bool = True) -> None:
        self.everything = everything
        self.reindex = reindex or everything

    def __enter__(self) -> bool:
        self.postgres = connection.vendor == "postgresql" and self.reindex
        if not self.postgres:
            return False
        table = _q(RollupFact._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # the unique index, rebuilt
            # A table with deferred foreign-key checks pending (rows written earlier in this
            # transaction) cannot be altered: run the checks now, and defer again at the end.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {LEDGER_KEY}")
            if self.everything:
                cursor.execute(f"TRUNCATE {table}")
        return self.everything

    def __exit__(self, *exc: Any) -> None:
        if self.postgres and exc[0] is None:
            table = _q(RollupFact._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {LEDGER_KEY} "
                    "UNIQUE (programme_id, metric, unit, region_id, cluster_id)"
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def vacuum() -> None:
    """After a rebuild has committed (PostgreSQL): mark the new rows visible to all and refresh
    the statistics, so the dashboard reads the rollups by an index-only scan again (the province
    dashboard took 268 ms instead of 76 ms until autovacuum came by). Not inside a transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:  # (the ledger is read by key through its index: no need)
        cursor.execute(f"VACUUM (ANALYZE) {_q(Rollup._meta.db_table)}")
