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
            for p in programmes:
                started = time.perf_counter()
                rows = rollups.rebuild(p, since=since)
                self.stdout.write(f"{p.slug}: {rows} rollup rows in {time.perf_counter() - started:.1f} s")
            return
        problems = [f"{p.slug}: {line}" for p in programmes for line in rollups.differences(p)]
        for line in problems[:50]:
            self.stderr.write(line)
        if problems:
            raise CommandError(
                f"{len(problems)} rollup rows differ from the records; run `uplift rollups rebuild`."
            )
        self.stdout.write(self.style.SUCCESS("The rollups agree with the records."))
