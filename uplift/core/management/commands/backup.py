"""`uplift backup FILE`: a consistent snapshot of every record, as (optionally compressed) JSON.

Works on SQLite and PostgreSQL alike: the records are read in one transaction (REPEATABLE READ on
PostgreSQL), so the file is the database as it was at one instant. `uplift restore FILE` loads it
into an empty database. For very large databases, PostgreSQL's own pg_dump is faster; this format
is database-independent (a SQLite demo can be restored into PostgreSQL and back).
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

#: What a backup holds: every app with records. loaddata checks foreign keys once the whole file
#: is in, so the order only has to be readable.
APPS = [
    "accounts",
    "authtoken",
    "registry",
    "programmes",
    "procurement",
    "delivery",
    "inspection",
    "indicators",
    "excellence",
    "imports",
    "core",
]
#: Derived rows a backup leaves out: `uplift restore` rebuilds them from the records (a national
#: programme's rollup ledger is millions of rows that say nothing the records do not).
DERIVED = ["programmes.Rollup", "programmes.RollupFact"]


class Command(BaseCommand):
    help = "Write a consistent snapshot of all records to FILE (.json, .json.gz, .json.xz, .json.bz2)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        # Called inside someone else's transaction (a test), the snapshot is theirs to choose.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # Content types by their natural key (app, model): their ids differ between databases.
            call_command(
                "dumpdata",
                *APPS,
                exclude=DERIVED,
                natural_foreign=True,
                output=options["file"],
                indent=None,
                verbosity=0,
            )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {options['file']}."))
