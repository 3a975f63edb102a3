"""Dashboards and lists at national scale: ≥ 1M enterprises, ≥ 5M participations, ≥ 2M inspections.

Usage (PostgreSQL only; the database is created, filled and left for inspection)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_national .venv/bin/python bench/national.py

Builds the Hubei demo, then adds ``--enterprises`` synthetic enterprises across Hubei's counties
(a third of them in clusters), ``--activities`` approved activities of the demo's projects with
``--per-activity`` participants each, and ``--inspections`` sampled batches over 2015–2020, with
bulk inserts (no per-row rollup upkeep), times ``uplift rollups rebuild``, checks the rollups
against the records for the programme total, then times the pages as the province officer
(server time through Django's test client: p50 / p95 in ms and the query count). Record the
output in bench/RESULTS.md with the machine. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uplift.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/national.py needs DATABASE_URL=postgres://… (a database it may fill).")

import django  # noqa: E402
from timing import time_pages  # noqa: E402  (bench/timing.py, beside this script)


def create_database(url: str) -> None:
    """Create the database ``url`` names when the server does not have it yet (a new machine)."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


create_database(os.environ["DATABASE_URL"])
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402


def step(label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            print(f"{label} …", flush=True)

        def __exit__(self, *exc):
            print(f"{label}: {time.perf_counter() - self.start:.1f} s", flush=True)

    return Timer()


def clone(model, template: dict, **changes):
    return model(**{**template, "id": None, **changes})


def copy(model, template: dict, changes) -> None:
    """Insert one row per dict of ``changes``, the other columns as in ``template`` (COPY)."""
    from uplift.core.bulk import insert_rows

    columns = [c for c in template if c != "id"]
    insert_rows(model, columns, (tuple({**template, **c}[k] for k in columns) for c in changes))


def load(args: argparse.Namespace) -> None:
    from uplift.delivery.models import Activity, Participation
    from uplift.inspection.models import SamplingInspection
    from uplift.registry.models import ClusterMembership, Enterprise, IndustrialCluster, Region

    rng = random.Random(2018)
    counties = list(
        Region.objects.filter(code__startswith="42", level="county").values_list("code", flat=True)
    ) or ["429004"]
    clusters = list(
        IndustrialCluster.objects.filter(region__code__startswith="42").values_list("pk", flat=True)
    )
    ent_template = Enterprise.objects.values().first()
    start = Enterprise.objects.count()

    with step(f"{args.enterprises:,} enterprises"):

        def enterprise(i: int) -> dict:
            county = counties[i % len(counties)]
            return {
                "credit_code": f"91{county}B{start + i:09d}",
                "name": f"测试企业{i:07d}",
                "region_id": county,
            }

        copy(Enterprise, ent_template, (enterprise(i) for i in range(args.enterprises)))
    new_ids = list(Enterprise.objects.filter(name__startswith="测试企业").values_list("pk", "region_id"))

    with step("cluster memberships (a third of the enterprises)"):
        template = ClusterMembership.objects.values().first()
        copy(
            ClusterMembership,
            template,
            ({"cluster_id": rng.choice(clusters), "enterprise_id": pk} for pk, _region in new_ids[::3]),
        )
    member_cluster = dict(ClusterMembership.objects.values_list("enterprise_id", "cluster_id"))

    activities = list(Activity.objects.filter(status="approved").values())
    with step(f"{args.activities:,} approved activities"):
        rows = []
        for i in range(args.activities):
            template = activities[i % len(activities)]
            held = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            rows.append(clone(Activity, template, held_on=held, topic=f"批量活动 {i}", external_id=""))
        Activity.objects.bulk_create(rows, batch_size=5000)
    activity_ids = list(Activity.objects.filter(topic__startswith="批量活动").values_list("pk", flat=True))

    total = len(activity_ids) * args.per_activity
    with step(f"{total:,} participations"):
        template = Participation.objects.values().first()
        copy(
            Participation,
            template,
            (
                {
                    "activity_id": activity_id,
                    "enterprise_id": pk,
                    "region_id": region,
                    "managers": rng.randint(0, 3),
                }
                for activity_id in activity_ids
                for pk, region in rng.sample(new_ids, args.per_activity)
            ),
        )

    with step(f"{args.inspections:,} sampling inspections"):
        template = SamplingInspection.objects.values().first()

        def inspection(i: int) -> dict:
            pk, region = new_ids[rng.randrange(len(new_ids))]
            return {
                "enterprise_id": pk,
                "region_id": region,
                "cluster_id": member_cluster.get(pk),
                "batch_id": f"NB{i:09d}",
                "sampled_on": datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(6 * 365)),
                "result": "pass" if rng.random() < 0.88 else "fail",
            }

        copy(SamplingInspection, template, (inspection(i) for i in range(args.inspections)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def incremental(programme, size: int) -> None:
    """The rollups' upkeep of writes of ``size`` rows, each timed with the upkeep and without it
    (suspended), in a transaction rolled back: ``size`` participations added to a draft activity
    (the import path: one bulk insert), that activity approved (its participations start to count:
    the enterprises they bring and their cells), and ``size`` batches sampled in bulk. After the
    run with upkeep, the rollup totals of the metrics written must equal the records' counts."""
    from uplift.delivery.models import Activity, Participation
    from uplift.inspection.models import SamplingInspection
    from uplift.programmes import rollups
    from uplift.programmes.metrics import METRICS, Scope
    from uplift.registry.models import Enterprise

    rng = random.Random(size)
    synthetic = Enterprise.objects.filter(name__startswith="测试企业")
    pool = list(synthetic.values_list("pk", "region_id")[:200_000])
    chosen = rng.sample(pool, size)
    template = Activity.objects.filter(programme=programme, status="approved").values().first()
    batch = SamplingInspection.objects.values().first()

    def run() -> dict[str, float]:
        out = {}
        activity = clone(Activity, template, status="draft", topic="增量写入", external_id="")
        activity.save()
        start = time.perf_counter()
        # What participations_add writes (the demo's projects are accepted: closed to the service).
        added = Participation.objects.bulk_create(
            [Participation(activity=activity, enterprise_id=pk, region_id=r, managers=1) for pk, r in chosen]
        )
        bulk_saved.send(sender=Participation, instances=added)
        out["add participations"] = time.perf_counter() - start
        start = time.perf_counter()
        activity.status = "approved"
        activity.save()
        out["approve their activity"] = time.perf_counter() - start
        start = time.perf_counter()
        rows = [
            clone(
                SamplingInspection,
                batch,
                enterprise_id=pk,
                region_id=region,
                cluster_id=None,
                batch_id=f"INC{i:08d}",
                sampled_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=i % 365),
            )
            for i, (pk, region) in enumerate(chosen)
        ]
        bulk_saved.send(sender=SamplingInspection, instances=SamplingInspection.objects.bulk_create(rows))
        out["sample batches in bulk"] = time.perf_counter() - start
        return out

    from uplift.core.signals import bulk_saved

    timings = {}
    for label, suspended in (("without upkeep", True), ("with upkeep", False)):
        with transaction.atomic():
            if suspended:
                with rollups.suspended():
                    timings[label] = run()
            else:
                timings[label] = run()
                totals = rollups.totals(programme, programme.region_id)
                for name in ("enterprises_participating", "manager_participations", "batches_sampled"):
                    counted = METRICS[name].value(Scope(programme))
                    assert totals.get(name, 0) == counted, (name, totals.get(name), counted)
            transaction.set_rollback(True)
    head = f"write of {size:,} rows"
    print(f"{head:32} {'s, no upkeep':>13} {'s, upkeep':>10} {'upkeep s':>9}")
    for step_name in timings["with upkeep"]:
        bare, kept = timings["without upkeep"][step_name], timings["with upkeep"][step_name]
        print(f"{step_name:32} {bare:13.2f} {kept:10.2f} {kept - bare:9.2f}", flush=True)


def pages() -> list[tuple[str, str]]:
    from uplift.registry.models import IndustrialCluster

    cluster = IndustrialCluster.objects.get(name="蕲春蕲艾")
    return [
        ("dashboard (province)", "/programmes/hubei-2018/dashboard/"),
        ("dashboard (Huanggang)", "/programmes/hubei-2018/dashboard/?region=421100"),
        ("dashboard (Qichun cluster)", f"/programmes/hubei-2018/dashboard/?cluster={cluster.pk}"),
        ("API dashboard", "/api/programmes/programmes/hubei-2018/dashboard/"),
        ("enterprise list", "/registry/enterprises/"),
        ("enterprise list, search (2 characters: a scan)", "/registry/enterprises/?q=蕲艾"),
        ("enterprise list, search (4 characters: trigrams)", "/registry/enterprises/?q=蕲春蕲艾"),
        ("enterprise list, served (drill-down)", "/registry/enterprises/?served_in=hubei-2018"),
        ("enterprise list, served in Huanggang", "/registry/enterprises/?served_in=hubei-2018&region=421100"),
        ("inspection list", "/inspection/inspections/"),
        ("inspection list, sampled (drill-down)", "/inspection/inspections/?sampled_in=hubei-2018"),
        (
            "inspection list, passed in Qichun",
            f"/inspection/inspections/?passed_in=hubei-2018&cluster={cluster.pk}",
        ),
        ("participation list", "/delivery/participations/"),
        ("participation list, counted (drill-down)", "/delivery/participations/?counted_in=hubei-2018"),
        ("API participations, counted", "/api/delivery/participations/?counted_in=hubei-2018"),
        ("pass rates by region (live GROUP BY)", "/inspection/rates/?by=region"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--per-activity", type=int, default=25)
    parser.add_argument("--inspections", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--skip-load", action="store_true", help="Time the pages of an already loaded database."
    )
    parser.add_argument("--only", default="", help="Time only the pages whose label contains this.")
    parser.add_argument(
        "--write", type=int, default=10_000, help="Rows of the incremental writes timed (0: none)."
    )
    args = parser.parse_args()

    from uplift.programmes import rollups
    from uplift.programmes.metrics import METRICS, Scope
    from uplift.programmes.models import Programme, Rollup

    if not args.skip_load:
        call_command("migrate", verbosity=0)
        with step("Hubei demo"):
            call_command("demo", load_only=True, verbosity=0)
        with transaction.atomic():
            load(args)
        with step("uplift rollups rebuild"):
            call_command("rollups", "rebuild")
    programme = Programme.objects.get(slug="hubei-2018")
    with step("check: rollup totals = figures counted from the records"):
        totals = rollups.totals(programme, programme.region_id)
        for name, metric in METRICS.items():
            counted = metric.value(Scope(programme))
            assert totals.get(name, 0) == counted, (name, totals.get(name), counted)
    from uplift.delivery.models import Participation
    from uplift.inspection.models import SamplingInspection
    from uplift.registry.models import Enterprise

    counts = [
        f"{Enterprise.objects.count():,} enterprises",
        f"{Participation.objects.count():,} participations",
        f"{SamplingInspection.objects.count():,} inspections",
        f"{Rollup.objects.count():,} rollup rows",
    ]
    print("rows:", ", ".join(counts))
    if args.write:
        incremental(programme, args.write)

    time_pages([(label, url) for label, url in pages() if args.only in label], args.repeat)


if __name__ == "__main__":
    main()
