"""Server time of the main pages on the Hubei demo dataset (no network, Django's test client).

Usage: ``make bench`` (or ``.venv/bin/python bench/pages.py [--repeat N]``). Builds the demo into a
throw-away SQLite database under a temporary UPLIFT_VAR_DIR unless DATABASE_URL is set, then times
each page as the province officer: p50 / p95 in milliseconds and the number of SQL queries.
Record results in bench/RESULTS.md with the machine and the command; never assert timings in tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UPLIFT_VAR_DIR", tempfile.mkdtemp(prefix="uplift-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uplift.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import warnings  # noqa: E402

import django  # noqa: E402
from timing import time_pages  # noqa: E402  (bench/timing.py, beside this script)

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.core.management import call_command  # noqa: E402


def pages() -> list[tuple[str, str]]:
    from uplift.delivery.models import Acceptance, Activity, ServiceProject
    from uplift.registry.models import Enterprise, IndustrialCluster

    ent = Enterprise.objects.filter(region__code__startswith="4211").order_by("pk").first()
    cluster = IndustrialCluster.objects.get(name="蕲春蕲艾")
    # The pilot's own project (Qichun also has a supplementary one, still in progress).
    project = ServiceProject.objects.filter(pilot__cluster=cluster).order_by("pk").first()
    acceptance = Acceptance.objects.get(project=project)
    with_files = Activity.objects.filter(project=project, status="approved").order_by("held_on", "pk").first()
    return [
        ("dashboard (province)", "/programmes/hubei-2018/dashboard/"),
        ("dashboard (Huanggang)", "/programmes/hubei-2018/dashboard/?region=421100"),
        ("enterprise list", "/registry/enterprises/"),
        ("enterprise list, served + region", "/registry/enterprises/?served_in=hubei-2018&region=421100"),
        ("enterprise list, search", "/registry/enterprises/?q=蕲艾"),
        ("enterprise detail", f"/registry/enterprises/{ent.pk}/"),
        ("cluster detail", f"/registry/clusters/{cluster.pk}/"),
        ("API enterprises", "/api/registry/enterprises/"),
        ("API dashboard", "/api/programmes/programmes/hubei-2018/dashboard/"),
        ("programme report xlsx (province)", "/programmes/hubei-2018/report.xlsx"),
        ("programme report PDF (province)", "/programmes/hubei-2018/report.pdf"),
        ("service project detail", f"/delivery/projects/{project.pk}/"),
        ("activity list, counted", "/delivery/activities/?counted_in=hubei-2018"),
        ("participation list, counted", "/delivery/participations/?counted_in=hubei-2018"),
        ("problem list, overdue", "/delivery/problems/?overdue=true"),
        ("benefit list, counted", "/delivery/benefits/?counted_in=hubei-2018"),
        ("grade bulletin (public)", "/public/bulletin/"),
        ("acceptance with expert panel", f"/delivery/acceptances/{acceptance.pk}/"),
        ("activity detail with files", f"/delivery/activities/{with_files.pk}/"),
        ("file list", "/files/"),
        ("API file list", "/api/files/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    call_command("demo", load_only=True, verbosity=0)
    time_pages(pages(), args.repeat)


if __name__ == "__main__":
    main()
