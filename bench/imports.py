"""Spreadsheet imports end to end at scale, against a raw COPY of the same rows and against
django-import-export.

Usage (PostgreSQL; the database is created when missing and left for inspection)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/uplift_imports .venv/bin/python bench/imports.py

    # the issue's run: 1M rows from csv and from xlsx, django-import-export on a 20,000-row slice
    DATABASE_URL=… .venv/bin/python bench/imports.py --rows 1000000 --xlsx

django-import-export comes from the ``bench`` extra (``pip install -e '.[bench]'``); it is used as a
library here, never an installed app of the product.

Writes a csv (and, with ``--xlsx``, an xlsx) of ``--rows`` synthetic enterprises across Hubei's
counties, streamed (no row list is held), plus a file of its first ``--django-import-export`` rows
(the slice). Then times:

* a raw ``COPY`` of the csv into an unindexed table of text columns (the floor the design compares
  with);
* the slice imported, all new, by ``uplift import`` and by django-import-export (a ``ModelResource``
  of the enterprise, ``import_data(dry_run=False, use_transactions=True)`` on a tablib Dataset read
  from the same file), each into the same clean state, in this process: the same rows, the same
  database, so the ratio compares the tools and nothing else;
* ``uplift import`` of the whole csv as a separate process (what a user runs: start-up, read, check
  every row, write, all in one transaction), all new and then again (every row unchanged), and with
  ``--xlsx`` the same for the xlsx (the csv's rows deleted first, so it imports new rows too); each
  with the peak resident memory of its process.

The synthetic enterprises (named 导入测试企业…) are deleted with one ``DELETE`` between runs (no
per-row signals; the bench database holds no programme, so no rollup refers to them). Stored import
files go to ``UPLIFT_VAR_DIR`` (default: a directory under the system's temp dir, not the checkout's
var/). ``--profile`` adds a cProfile of the slice's import (top entries by cumulative time).
Timings are printed, never asserted; record them in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uplift.settings")
# The imports keep a copy of each file (1M rows: ~100 MB of csv, ~40 MB of xlsx): not in the
# checkout's var/. Inherited by the `uplift import` processes, so they store there too.
os.environ.setdefault("UPLIFT_VAR_DIR", str(Path(tempfile.gettempdir()) / "uplift-bench-imports"))
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/imports.py needs DATABASE_URL=postgres://… (a database it may fill).")

import django  # noqa: E402
from national import create_database  # noqa: E402  (bench/national.py, beside this script)

create_database(os.environ["DATABASE_URL"])
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from uplift.imports.kinds import KINDS  # noqa: E402

FIELDS = ("credit_code", "name", "region", "industry", "size_class", "employees", "annual_revenue")
HEADER = KINDS["enterprises"].headers(*FIELDS)
SYNTHETIC = "导入测试企业"


def write_csv(path: Path, n: int, slice_path: Path | None = None, slice_rows: int = 0) -> None:
    """``n`` synthetic enterprises to ``path``, row by row; the first ``slice_rows`` also to
    ``slice_path`` (the same header and cells)."""
    from uplift.registry.demo import credit_code
    from uplift.registry.models import Region

    rng = random.Random(2018)
    counties = list(
        Region.objects.filter(code__startswith="42", level="county").values_list("code", flat=True)
    )
    sizes = ["小型", "微型", "中型", "大型"]
    with (
        path.open("w", encoding="utf-8-sig", newline="") as f,
        (slice_path or Path(os.devnull)).open("w", encoding="utf-8-sig", newline="") as s,
    ):
        writer, part = csv.writer(f), csv.writer(s)
        writer.writerow(HEADER)
        part.writerow(HEADER)
        for i in range(n):
            county = counties[i % len(counties)]
            row = [
                credit_code("91", county, 5_000_000 + i),
                f"{SYNTHETIC}{i:07d}有限公司",
                county,
                f"{13 + i % 30:02d}",
                sizes[rng.randrange(4)],
                rng.randrange(5, 2000),
                f"{rng.randrange(1, 10_000) * 10_000:,}",
            ]
            writer.writerow(row)
            if i < slice_rows:
                part.writerow(row)


def write_xlsx(source: Path, target: Path) -> None:
    """The csv's cells as text cells of an xlsx, streamed (xlsxwriter's constant_memory mode writes
    each row out once the next begins)."""
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


def forget(vacuum: bool = False) -> int:
    """Delete every synthetic enterprise with one statement (an ORM delete would load each row and
    send its signals); ``vacuum`` afterwards so the next all-new import finds the table as new."""
    from uplift.registry.models import Enterprise

    table = connection.ops.quote_name(Enterprise._meta.db_table)  # the model's, not input
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE name LIKE %s", [SYNTHETIC + "%"])  # noqa: S608
        deleted = cursor.rowcount
        if vacuum:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return deleted


def synthetic_count() -> int:
    from uplift.registry.models import Enterprise

    return Enterprise._base_manager.filter(name__startswith=SYNTHETIC).count()


def report(label: str, n: int, took: float, peak_mb: float | None = None) -> None:
    peak = f", peak {peak_mb:,.0f} MB" if peak_mb is not None else ""
    print(f"{label}: {took:.1f} s, {n / took:,.0f} rows/s{peak}", flush=True)


def import_in_process(path: Path, n: int) -> float:
    """``uplift import enterprises PATH`` in this process (no start-up), all ``n`` rows new: its
    seconds."""
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import", "enterprises", str(path), stdout=out, stderr=io.StringIO())
    took = time.perf_counter() - started
    if f"{n} created" not in out.getvalue():
        sys.exit(f"uplift import of {path.name} did not import: {out.getvalue()}")
    return took


#: Runs ``uplift import`` (as the console script does) and, on the way out, writes the process's
#: peak resident memory (VmHWM) to stderr. Measured inside: ``ru_maxrss`` of a child started from
#: this process counts this process's memory at the fork too (Linux keeps it across exec).
CHILD = (
    "import atexit, sys\n"
    "def hwm():\n"
    "    with open('/proc/self/status') as f:\n"
    "        sys.stderr.write(next(line for line in f if line.startswith('VmHWM:')))\n"
    "atexit.register(hwm)\n"
    "from uplift.manage import main\n"
    "main(sys.argv)\n"
)


def import_process(path: Path, expect: str, n: int) -> tuple[float, float]:
    """``uplift import enterprises PATH`` as its own process, as a user runs it: wall seconds
    (start-up included) and the process's peak resident memory in MB. ``expect`` is the count its
    summary must show (``{n} created`` or ``{n} unchanged``)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "import", "enterprises", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    hwm = re.search(r"^VmHWM:\s+(\d+) kB", proc.stderr, re.MULTILINE)
    if proc.returncode or f"{n} {expect}" not in proc.stdout or not hwm:
        sys.exit(f"uplift import of {path.name} (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return took, int(hwm[1]) / 1024


def django_import_export_resource():
    """A django-import-export ``ModelResource`` of the enterprise for the bench's csv: matched by
    credit code, the csv's Chinese headers mapped to the fields, region and industry by their codes.
    Built as its docs show; two small widgets read what the csv says as a person writes it (size
    classes by their Chinese names, revenue with thousands separators), which ``uplift import``
    reads too. Defaults otherwise (one save per row, no ``full_clean``: less checking than
    ``uplift import`` does, so the comparison flatters it)."""
    from import_export import fields, resources, widgets

    from uplift.registry.models import Enterprise, Industry, Region

    column = dict(zip(FIELDS, HEADER, strict=True))

    class SizeWidget(widgets.Widget):
        names = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro"}

        def clean(self, value, row=None, **kwargs):
            return self.names.get(value.strip(), value) if value else ""

    class RevenueWidget(widgets.DecimalWidget):
        def clean(self, value, row=None, **kwargs):
            return super().clean(value.replace(",", "") if isinstance(value, str) else value, row, **kwargs)

    def field(name: str, widget=None):
        return fields.Field(attribute=name, column_name=column[name], widget=widget)

    class EnterpriseResource(resources.ModelResource):
        credit_code = field("credit_code")
        name = field("name")
        region = field("region", widgets.ForeignKeyWidget(Region, field="code"))
        industry = field("industry", widgets.ForeignKeyWidget(Industry, field="code"))
        size_class = field("size_class", SizeWidget())
        employees = field("employees", widgets.IntegerWidget())
        annual_revenue = field("annual_revenue", RevenueWidget())

        class Meta:
            model = Enterprise
            import_id_fields = ["credit_code"]
            fields = FIELDS

    return EnterpriseResource()


def import_with_django_import_export(path: Path, n: int) -> float:
    """The file read into a tablib Dataset and imported by django-import-export: its seconds."""
    import tablib

    resource_ = django_import_export_resource()
    started = time.perf_counter()
    with path.open(encoding="utf-8-sig") as f:
        dataset = tablib.Dataset().load(f.read(), format="csv")
    result = resource_.import_data(dataset, dry_run=False, use_transactions=True)
    took = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors() or result.totals["new"] != n:
        first = next(iter(result.invalid_rows or result.row_errors()), None)
        sys.exit(f"django-import-export did not import {n} new rows: {dict(result.totals)} {first}")
    return took


def profile_import(path: Path, top: int = 30) -> None:
    """cProfile of ``uplift import`` of ``path`` (all new), its top entries by cumulative time."""
    forget()
    profiler = cProfile.Profile()
    profiler.enable()
    call_command("import", "enterprises", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    profiler.disable()
    forget()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    # The same, by time spent in the function itself: what the cumulative entries are made of.
    stats.sort_stats("tottime").print_stats(top // 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="Also import the rows as an xlsx.")
    parser.add_argument(
        "--django-import-export",
        dest="die",
        type=int,
        default=20_000,
        metavar="N",
        help="Import the first N rows with django-import-export and with uplift import (0: skip).",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile uplift import of the slice.")
    args = parser.parse_args()
    if args.die:
        try:
            import import_export  # noqa: F401
        except ImportError:
            sys.exit("django-import-export missing: pip install -e '.[bench]' (or --django-import-export 0)")
    import uplift

    print(f"code: {Path(uplift.__file__).resolve().parent}, PostgreSQL {connection.pg_version}", flush=True)
    call_command("migrate", verbosity=0)
    if removed := forget(vacuum=True):
        print(f"deleted {removed:,} synthetic enterprises of an earlier run", flush=True)
    slice_rows = min(args.die, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path, part = Path(tmp) / "enterprises.csv", Path(tmp) / f"enterprises-{slice_rows}.csv"
        started = time.perf_counter()
        write_csv(path, args.rows, part if slice_rows else None, slice_rows)
        print(
            f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB of csv "
            f"(written in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        copy = raw_copy(path)
        report("raw COPY into an unindexed table", args.rows, copy)

        if slice_rows:
            ours = import_in_process(part, slice_rows)
            report(f"uplift import, first {slice_rows:,} rows (csv, all new, in process)", slice_rows, ours)
            forget()
            theirs = import_with_django_import_export(part, slice_rows)
            report(f"django-import-export, the same {slice_rows:,} rows (all new)", slice_rows, theirs)
            forget()
            print(f"uplift import ÷ django-import-export on the same rows: {theirs / ours:.1f}×", flush=True)
            if args.profile:
                profile_import(part)

        first, peak = import_process(path, "created", args.rows)
        report("uplift import (csv, all new)", args.rows, first, peak)
        again, peak = import_process(path, "unchanged", args.rows)
        report("uplift import again (csv, all unchanged)", args.rows, again, peak)
        print(f"import ÷ raw COPY throughput (csv, all new): {copy / first:.3f}×", flush=True)
        if slice_rows:
            print(
                f"import of {args.rows:,} (csv, all new) ÷ django-import-export of {slice_rows:,}: "
                f"{(args.rows / first) / (slice_rows / theirs):.1f}×",
                flush=True,
            )
        if args.xlsx:
            book = Path(tmp) / "enterprises.xlsx"
            started = time.perf_counter()
            write_xlsx(path, book)
            took = time.perf_counter() - started
            print(f"{book.stat().st_size / 1e6:.1f} MB of xlsx (written in {took:.0f} s)", flush=True)
            forget(vacuum=True)
            new, peak = import_process(book, "created", args.rows)
            report("uplift import (xlsx, all new)", args.rows, new, peak)
            again, peak = import_process(book, "unchanged", args.rows)
            report("uplift import again (xlsx, all unchanged)", args.rows, again, peak)
            print(f"import ÷ raw COPY throughput (xlsx, all new): {copy / new:.3f}×", flush=True)
    print(f"{synthetic_count():,} synthetic enterprises left in the database", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process (generation, COPY, the slice's imports): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
