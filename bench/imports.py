"""Spreadsheet imports end to end at scale, against a raw COPY of the same rows.

Usage (PostgreSQL; the database is created when missing and left for inspection)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_imports .venv/bin/python bench/imports.py

Writes a csv (and, with ``--xlsx``, an xlsx) of ``--rows`` synthetic enterprises across Hubei's
counties, then times: a raw ``COPY`` of the same rows into an unindexed table (the floor the design
compares with); ``uplift import`` of the file as the system (read, check every row, write, all in
one transaction); the same file imported again (every row unchanged); and reports the process's
peak resident memory. Timings are printed, never asserted; record them in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uplift.settings")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/imports.py needs DATABASE_URL=postgres://… (a database it may fill).")

import django  # noqa: E402
from national import create_database  # noqa: E402  (bench/national.py, beside this script)

create_database(os.environ["DATABASE_URL"])
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from uplift.imports.kinds import KINDS  # noqa: E402

HEADER = KINDS["enterprises"].headers(
    "credit_code", "name", "region", "industry", "size_class", "employees", "annual_revenue"
)


def write_csv(path: Path, n: int) -> None:
    from uplift.registry.demo import credit_code
    from uplift.registry.models import Region

    rng = random.Random(2018)
    counties = list(
        Region.objects.filter(code__startswith="42", level="county").values_list("code", flat=True)
    )
    sizes = ["小型", "微型", "中型", "大型"]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(n):
            county = counties[i % len(counties)]
            writer.writerow(
                [
                    credit_code("91", county, 5_000_000 + i),
                    f"导入测试企业{i:07d}有限公司",
                    county,
                    f"{13 + i % 30:02d}",
                    sizes[rng.randrange(4)],
                    rng.randrange(5, 2000),
                    f"{rng.randrange(1, 10_000) * 10_000:,}",
                ]
            )


def write_xlsx(source: Path, target: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet()
    with source.open(encoding="utf-8-sig") as f:
        for r, row in enumerate(csv.reader(f)):
            for c, value in enumerate(row):
                ws.write_string(r, c, value)
    book.close()


def raw_copy(path: Path) -> float:
    """COPY of the file's rows into an unindexed table of text columns (rolled back)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE raw_enterprises (a text, b text, c text, d text, e text, f text, g text)"
        )
        with (
            path.open(encoding="utf-8-sig") as f,
            cursor.cursor.copy("COPY raw_enterprises FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        took = time.perf_counter() - started
        transaction.set_rollback(True)
    return took


def timed(label: str, n: int, fn) -> float:
    started = time.perf_counter()
    fn()
    took = time.perf_counter() - started
    print(f"{label}: {took:.1f} s, {n / took:,.0f} rows/s", flush=True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="Also import the rows as an xlsx.")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from uplift.registry.models import Enterprise

    Enterprise.objects.filter(name__startswith="导入测试企业").delete()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "enterprises.csv"
        write_csv(path, args.rows)
        print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB of csv", flush=True)
        copy = timed("raw COPY into an unindexed table", args.rows, lambda: raw_copy(path))
        first = timed(
            "uplift import (csv, all new)",
            args.rows,
            lambda: call_command("import", "enterprises", str(path), stdout=open(os.devnull, "w")),
        )
        timed(
            "uplift import again (csv, all unchanged)",
            args.rows,
            lambda: call_command("import", "enterprises", str(path), stdout=open(os.devnull, "w")),
        )
        print(f"import ÷ raw COPY throughput: {copy / first:.2f}×")
        if args.xlsx:
            book = Path(tmp) / "enterprises.xlsx"
            write_xlsx(path, book)
            timed(
                "uplift import again (xlsx, all unchanged)",
                args.rows,
                lambda: call_command("import", "enterprises", str(book), stdout=open(os.devnull, "w")),
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
