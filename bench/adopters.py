"""Adopters of the excellence model at national scale, on the database ``bench/national.py`` left.

Usage (PostgreSQL; after ``bench/national.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_national .venv/bin/python bench/adopters.py

Adds ``--assessments`` accepted self-assessments of synthetic enterprises and the excellence method
to a tenth of the approved activities (bulk inserts, then one rollup rebuild, as a bulk load
does), then times the adopters figure counted live (what ``uplift figures`` and the drill-down
list run), the recount of the three adoption metrics after a rule change, and one acceptance
with its rollup upkeep. Timings are printed, never asserted; record them in bench/RESULTS.md.
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
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/adopters.py needs DATABASE_URL=postgres://… (the database bench/national.py filled).")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from uplift.core.bulk import insert_rows  # noqa: E402
from uplift.delivery.models import Activity, QualityMethod  # noqa: E402
from uplift.excellence import services  # noqa: E402
from uplift.excellence.models import Framework, SelfAssessment  # noqa: E402
from uplift.programmes import rollups  # noqa: E402
from uplift.programmes.metrics import METRICS, Scope  # noqa: E402
from uplift.programmes.models import Programme  # noqa: E402
from uplift.registry.models import Enterprise  # noqa: E402

COLUMNS = [
    "created_at",
    "updated_at",
    "version",
    "enterprise_id",
    "region_id",
    "framework_id",
    "year",
    "profile",
    "status",
    "total",
    "submitted_at",
    "comments",
    "accepted_on",
    "accepted_by_id",
]


def load(programme: Programme, framework: Framework, method: QualityMethod, n: int) -> None:
    rng = random.Random(7)
    ids = list(Enterprise.objects.filter(name__startswith="测试企业").values_list("pk", "region_id"))
    now = timezone.now()
    day = datetime.date(2018, 1, 1)
    rows = [
        (
            now,
            now,
            1,
            pk,
            region,
            framework.pk,
            2018,
            "",
            "accepted",
            500,
            now,
            "",
            day + datetime.timedelta(days=rng.randrange(365)),
            None,
        )
        for pk, region in rng.sample(ids, n)
    ]
    through = Activity.methods.through
    with transaction.atomic():
        insert_rows(SelfAssessment, COLUMNS, rows)
        approved = list(Activity.objects.filter(status="approved").values_list("pk", flat=True))
        covered = set(through.objects.filter(qualitymethod=method).values_list("activity_id", flat=True))
        chosen = [a for a in rng.sample(approved, len(approved) // 10) if a not in covered]
        insert_rows(through, ["activity_id", "qualitymethod_id"], [(a, method.pk) for a in chosen])
    for table in ("excellence_selfassessment", "delivery_activity_methods"):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    started = time.perf_counter()
    rollups.rebuild(programme)
    print(
        f"loaded {n:,} accepted self-assessments, the method on {len(chosen):,} more activities; "
        f"rollups rebuilt in {time.perf_counter() - started:.1f} s"
    )


def best_of(label: str, fn, repeat: int = 3) -> None:
    best, out = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
    print(f"{label}: {best * 1000:.0f} ms (best of {repeat}) → {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=50_000)
    args = parser.parse_args()
    programme = Programme.objects.get(slug="hubei-2018")
    framework = Framework.objects.get(code="GB/T 19580-2012")
    method = QualityMethod.objects.get(code="excellence")
    if SelfAssessment.objects.count() < args.assessments:
        load(programme, framework, method, args.assessments)
    scope = Scope(programme)
    best_of("adopters counted live", lambda: METRICS["excellence_adopters"].value(scope))
    best_of("adopters also served, counted live", lambda: METRICS["served_adopters"].value(scope))
    best_of(
        "recount of the adoption metrics (a rule changed)",
        lambda: rollups.rebuild(programme, metrics=services.ADOPTION_METRICS),
        repeat=1,
    )
    enterprise = (
        Enterprise.objects.filter(participations__activity__methods=method, self_assessments__isnull=True)
        .order_by("pk")
        .first()
    )
    assessment = services.self_assessment_create(
        actor=None, enterprise=enterprise, framework=framework, year=2018
    )
    entries = assessment.items.all()
    services.self_assessment_respond(
        actor=None, assessment=assessment, responses=[(e.item_id, 50, "x") for e in entries]
    )
    services.self_assessment_submit(actor=None, assessment=assessment)
    started = time.perf_counter()
    with transaction.atomic():
        services.self_assessment_accept(actor=None, assessment=assessment)
    print(f"one acceptance with its rollup upkeep: {(time.perf_counter() - started) * 1000:.0f} ms")
    print("rollups equal the records:", rollups.differences(programme) == [])


if __name__ == "__main__":
    main()
