"""`uplift import KIND FILE [--dry-run] [--partial]`: import a spreadsheet from the command line.

Exits non-zero when the file is rejected or unreadable, printing the problems and the path of the
error report (the file given back with its bad cells marked). `uplift import KIND --template OUT`
writes the kind's template workbook.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from uplift.imports import services
from uplift.imports.choices import RunStatus
from uplift.imports.kinds import KINDS
from uplift.imports.workbooks import write_error_report, write_template


class Command(BaseCommand):
    help = "Import a spreadsheet (xlsx, xls, ods, csv) of records of one kind, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", nargs="?", help="The spreadsheet to import.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--partial", action="store_true", help="Import the valid rows even when others are rejected."
        )
        parser.add_argument("--user", help="Import as this user (their scope applies); default: system.")
        parser.add_argument("--report", help="Where to write the error report (default: FILE.errors.xlsx).")
        parser.add_argument("--template", metavar="OUT", help="Write the kind's template workbook and stop.")

    def handle(self, *args, **options):
        kind = KINDS[options["kind"]]
        if options["template"]:
            write_template(kind, options["template"])
            self.stdout.write(f"Template written to {options['template']}")
            return
        if not options["file"]:
            raise CommandError("Give the FILE to import (or --template OUT).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = None
        if options["user"]:
            try:
                actor = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No such user: {options['user']}") from exc
        with path.open("rb") as f:
            try:
                run = services.import_file(
                    actor=actor,
                    kind=kind.name,
                    file=f,
                    name=path.name,
                    dry_run=options["dry_run"],
                    partial=options["partial"],
                    progress=self._progress if options["verbosity"] >= 1 else None,
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        if options["verbosity"] >= 1 and run.rows and self.stderr.isatty():
            self.stderr.write("")  # end the progress line
        counts = (
            f"{run.rows} rows: {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.rejected} rejected ({run.seconds:.1f} s)"
        )
        self.stdout.write(f"{run.get_status_display()}: {counts}")
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)
        for problem in run.problems.all()[:20]:
            column = (
                kind.field(problem.field).header if problem.field in {f.name for f in kind.fields} else ""
            )
            self.stderr.write(f"row {problem.row}{' ' + column if column else ''}: {problem.message}")
        if run.rejected:
            report = Path(options["report"] or f"{path}.errors.xlsx")
            with path.open("rb") as f:
                write_error_report(run, kind, f, str(report))
            self.stderr.write(f"Error report: {report}")
            written = run.status == RunStatus.IMPORTED
            raise CommandError(
                f"{run.rejected} rows rejected; "
                + ("the valid rows were imported" if written else "nothing was written")
                + f". See {report}."
            )

    def _progress(self, done: dict) -> None:
        line = f"{done['rows']:,} rows read and checked, {done['per_second']:,} rows/s, {done['seconds']} s"
        if done.get("percent") is not None:
            left = done.get("seconds_left")
            line = (
                f"{done['percent']}% of about {done['expected']:,} rows"
                + (f", about {left} s left" if left is not None else "")
                + f" · {line}"
            )
        if self.stderr.isatty():  # one line, rewritten
            self.stderr.write(f"\r{line}", ending="")
            self.stderr.flush()
        elif done["rows"] % 100_000 < 2_000:  # a log: a whole line now and then
            self.stderr.write(line)
