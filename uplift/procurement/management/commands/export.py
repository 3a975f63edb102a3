"""`uplift export ocds [--out FILE] [--programme SLUG]`: publishable data exports.

``ocds`` writes the OCDS 1.1 release package of the published tenders (docs/ocds.md). Further
exports are added to :data:`EXPORTS` under their own name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def _ocds(options: dict[str, Any]) -> tuple[str, str]:
    from uplift.procurement import ocds, selectors

    slug = options["programme"]
    if slug and not selectors.public_programmes().filter(slug=slug).exists():
        from uplift.programmes.models import Programme

        if not Programme.objects.filter(slug=slug).exists():
            raise CommandError(f"Unknown programme {slug!r}.")
        raise CommandError(f"Programme {slug!r} has no published tender to export.")
    package = ocds.build_package(programme=slug, uri=options["uri"])
    if not package["releases"]:
        # OCDS requires at least one release in a package.
        raise CommandError("No tender has been published yet; there is nothing to export.")
    ocids = {r["ocid"] for r in package["releases"]}
    summary = f"{len(package['releases'])} releases of {len(ocids)} contracting processes"
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n", summary


#: Exports by name: each returns the text to write and a one-line summary.
EXPORTS: dict[str, Callable[[dict[str, Any]], tuple[str, str]]] = {"ocds": _ocds}


class Command(BaseCommand):
    help = "Export published data: `ocds` writes the OCDS 1.1 release package of the published tenders."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(EXPORTS), help="What to export.")
        parser.add_argument("--out", help="File to write (default: standard output).")
        parser.add_argument("--programme", help="Programme short name (slug); default: every programme.")
        parser.add_argument(
            "--uri", help="The package's uri, where it will be published (default: a urn naming the export)."
        )

    def handle(self, *args, **options):
        text, summary = EXPORTS[options["what"]](options)
        if options["out"]:
            path = Path(options["out"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {summary} to {path}.")
        else:
            self.stdout.write(text, ending="")
