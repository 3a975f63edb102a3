"""`uplift report programme`: the programme's progress report as xlsx or PDF."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from uplift.programmes.selectors import programme_for_command, region_exists


class Command(BaseCommand):
    help = "Write a programme's progress report (figures, clusters, pass rates, grades) as xlsx or PDF."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["programme"], help="Which report (only 'programme' so far).")
        parser.add_argument("--programme", help="Programme short name (slug); default: the latest.")
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx", help="Default: xlsx.")
        parser.add_argument("--region", help="GB/T 2260 region code to narrow to (inside the programme's).")
        parser.add_argument("--out", help="File to write; default: <programme>[-<region>].<format> here.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _ in settings.LANGUAGES],
            help=f"Language of the report; default: {settings.LANGUAGE_CODE}.",
        )

    def handle(self, *args, **options):
        from uplift.accounts.access import region_prefix
        from uplift.reports.programme import programme_report

        slug = options["programme"]
        programme = programme_for_command(slug)
        if programme is None:
            raise CommandError(f"No programme {slug or ''}".strip() + ". Run `uplift demo --load-only`?")
        region = options["region"]
        if region:
            if not region_exists(region):
                raise CommandError(f"--region: unknown region code {region!r}.")
            if not region.startswith(region_prefix(programme.region_id)):
                raise CommandError(
                    f"--region: {region} is outside the programme's region ({programme.region_id})."
                )
        fmt = options["format"]
        out = Path(options["out"] or f"{programme.slug}{'-' + region if region else ''}.{fmt}")
        if out.is_dir():
            raise CommandError(f"--out: {out} is a folder; give a file name.")
        started = time.perf_counter()
        with translation.override(options["language"]):
            report = programme_report(programme, region=region)
            if fmt == "pdf":
                from uplift.reports.pdf import write_pdf

                write_pdf(report, str(out))
            else:
                from uplift.reports.workbook import write_workbook

                write_workbook(report, str(out))
        seconds = time.perf_counter() - started
        self.stdout.write(f"{out} ({out.stat().st_size:,} bytes, {seconds:.1f} s)")
