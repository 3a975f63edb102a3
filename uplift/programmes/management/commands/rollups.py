"""`uplift rollups rebuild|verify`: recompute the dashboard's summary tables, or check them."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from uplift.programmes import rollups
from uplift.programmes.models import Programme


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--since: {value!r} is not a month like 2019-03.") from None


class Command(BaseCommand):
    help = (
        "The rollups behind the dashboards and charts. `rebuild` recomputes them from the records "
        "(all months, or from --since YYYY-MM on); `verify` compares them with the records and "
        "lists every difference, exiting non-zero if there is one. Writes keep the rollups current "
        "by themselves: rebuild after loading data around the services, or when verify says so."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "verify"])
        parser.add_argument("--programme", help="A programme's slug (default: every programme).")
        parser.add_argument("--since", type=_month, help="Rebuild only this month (YYYY-MM) and later.")

    def handle(self, *args, action, programme=None, since=None, **options):
        programmes = Programme.objects.order_by("pk")
        if programme:
            programmes = programmes.filter(slug=programme)
            if not programmes.exists():
                raise CommandError(f"--programme: no programme {programme!r}.")
        if action == "rebuild":
            started = time.perf_counter()
            # Every programme at once when none is named: the ledger is emptied in one statement
            # instead of deleted metric by metric.
            rows = rollups.rebuild(
                programmes.get() if programme else None,
                since=since,
                progress=self._progress if options["verbosity"] >= 2 else None,
            )
            names = ", ".join(p.slug for p in programmes)
            self.stdout.write(f"{names}: {rows} rollup rows in {time.perf_counter() - started:.1f} s")
            return
        problems = [f"{p.slug}: {line}" for p in programmes for line in rollups.differences(p)]
        for line in problems[:50]:
            self.stderr.write(line)
        if problems:
            raise CommandError(
                f"{len(problems)} rollup rows differ from the records; run `uplift rollups rebuild`."
            )
        self.stdout.write(self.style.SUCCESS("The rollups agree with the records."))

    def _progress(self, programme: Programme, metric: str, rows: int, seconds: float) -> None:
        self.stdout.write(f"  {programme.slug} {metric}: {rows} rows in {seconds:.1f} s")
