"""`uplift figures --json`: the programme's headline figures, computed from the database."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uplift.programmes.metrics import Scope, figures
from uplift.programmes.selectors import programme_for_command, region_exists
from uplift.registry.models import IndustrialCluster


def service_desk_figures(scope: Scope) -> dict[str, dict[str, Any]]:
    """The one-stop service's figures, as the dashboard's card computes them
    (:func:`uplift.servicedesk.selectors.request_metrics`): the requests filed in the programme's
    period in the scope's region (the programme's when none) and cluster — every request there,
    as the other figures count every record. No target: the programme sets none for them."""
    from uplift.servicedesk.models import ServiceRequest
    from uplift.servicedesk.selectors import request_metrics

    programme = scope.programme
    card = request_metrics(
        None,
        requests=ServiceRequest.objects.all(),
        region=scope.region or programme.region_id,
        cluster=scope.cluster_id,
        since=programme.start_date,
        until=programme.end_date,
    )

    def figure(key: str, unit: str) -> dict[str, Any]:
        return {"value": card[key]["value"], "target": None, "unit": unit}

    return {
        "service_requests": figure("requests", "requests"),
        "median_first_response_hours": figure("median_hours_to_response", "hours"),
        "answered_on_time_share": figure("answered_on_time", "percent"),
        "mean_satisfaction": figure("satisfaction", "rating"),
    }


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
        scope = Scope(programme, region=region, cluster_id=cluster_id)
        data = figures(scope)
        data.update(service_desk_figures(scope))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
