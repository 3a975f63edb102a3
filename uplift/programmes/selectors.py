"""Reads of programme records: the sets of records each metric counts, and the dashboard.

Each ``*_enterprises`` function returns the queryset a metric counts; the list pages' filters call
the same functions, so a figure and the list it drills down to can never disagree.
"""

from __future__ import annotations

from django.db.models import QuerySet

from uplift.accounts.access import in_subtree, region_prefix
from uplift.delivery.selectors import participating_enterprises
from uplift.excellence.selectors import adopters, approved_benchmarks
from uplift.registry.models import ClusterMembership

from .models import PilotProject, Programme


def _in_region(qs: QuerySet, lookup: str, region: str | None) -> QuerySet:
    return qs.filter(in_subtree(lookup, region_prefix(region))) if region else qs


def pilots(programme: Programme, *, region: str | None = None, cluster_id: int | None = None) -> QuerySet:
    """The programme's pilot projects, optionally within a region or for one cluster."""
    qs = _in_region(PilotProject.objects.filter(programme=programme), "cluster__region_id", region)
    return qs.filter(cluster_id=cluster_id) if cluster_id else qs


def _in_cluster(qs: QuerySet, cluster_id: int | None) -> QuerySet:
    if not cluster_id:
        return qs
    return qs.filter(pk__in=ClusterMembership.objects.filter(cluster_id=cluster_id).values("enterprise_id"))


def served_enterprises(
    programme: Programme, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Distinct enterprises served by the programme: those that took part in an approved activity."""
    return participating_enterprises(programme, region=region, cluster_id=cluster_id)


def adopter_enterprises(
    programme: Programme, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Enterprises in the programme's region that adopted the excellence model during it, by the
    programme's adoption rule (:func:`uplift.excellence.selectors.adopters`, ``adopted_on``)."""
    qs = adopters(programme).filter(adopted_on__gte=programme.start_date, adopted_on__lte=programme.end_date)
    return _in_cluster(_in_region(qs, "region_id", region or programme.region_id), cluster_id)


def benchmark_enterprises(
    programme: Programme, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Enterprises in the programme's region the bureau approved as quality benchmarks during it
    (``benchmark_on``)."""
    qs = approved_benchmarks(programme)
    return _in_cluster(_in_region(qs, "region_id", region or programme.region_id), cluster_id)


def served_adopters(
    programme: Programme, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Adopters of the excellence model the programme also served (the funnel's overlap)."""
    served = served_enterprises(programme, region=region, cluster_id=cluster_id)
    return adopter_enterprises(programme, region=region, cluster_id=cluster_id).filter(
        pk__in=served.values("pk")
    )


def adopting_benchmarks(
    programme: Programme, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Benchmark enterprises that also adopted the excellence model during the programme."""
    adopters = adopter_enterprises(programme, region=region, cluster_id=cluster_id)
    return benchmark_enterprises(programme, region=region, cluster_id=cluster_id).filter(
        pk__in=adopters.values("pk")
    )


def programme_for_command(slug: str | None = None) -> Programme | None:
    """The programme a command names by its short name, or the latest (commands run as the system)."""
    programmes = Programme.objects.order_by("-start_date")
    return (programmes.filter(slug=slug) if slug else programmes).first()


def region_exists(code: str) -> bool:
    """Whether ``code`` is a region of the registry (GB/T 2260)."""
    from uplift.registry.models import Region

    return Region.objects.filter(code=code).exists()
