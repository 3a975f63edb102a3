"""`uplift figures --json`: the programme's headline figures, computed from the database."""

import json

from django.core.management.base import BaseCommand, CommandError

from uplift.programmes.metrics import Scope, figures
from uplift.programmes.selectors import programme_for_command, region_exists
from uplift.registry.models import IndustrialCluster


class Command(BaseCommand):
    help = "Print the headline figures of a programme (optionally for a region or a cluster)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object (the default).")
        parser.add_argument("--programme", help="Programme short name (slug); default: the latest.")
        parser.add_argument("--region", help="GB/T 2260 region code to narrow to.")
        parser.add_argument("--cluster", help="Industrial cluster name (or id) to narrow to.")

    def handle(self, *args, **options):
        programme = programme_for_command(options["programme"])
        if programme is None:
            raise CommandError(
                f"No programme {options['programme'] or ''}".strip() + ". Run `uplift demo --load-only`?"
            )
        region = options["region"]
        if region and not region_exists(region):
            raise CommandError(f"Unknown region code {region!r}.")
        cluster_id = None
        if options["cluster"]:
            key = options["cluster"]
            cluster = IndustrialCluster.objects.filter(name=key).first() or (
                IndustrialCluster.objects.filter(pk=key).first() if key.isdigit() else None
            )
            if cluster is None:
                raise CommandError(f"Unknown cluster {key!r}.")
            cluster_id = cluster.pk
        data = figures(Scope(programme, region=region, cluster_id=cluster_id))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
