"""REST API of economic indicators."""

from __future__ import annotations

from uplift.core.api import ObjectViewSet, ScopedModelSerializer

from . import filtersets, services
from .models import EconomicIndicator


class EconomicIndicatorSerializer(ScopedModelSerializer):
    class Meta:
        model = EconomicIndicator
        fields = [
            "id",
            "kind",
            "year",
            "enterprise",
            "cluster",
            "region",
            "value",
            "source",
            "note",
            "created_at",
            "updated_at",
        ]
        # An enterprise's or a cluster's figure takes its region from it.
        extra_kwargs = {"region": {"required": False, "allow_null": True}}


class EconomicIndicatorViewSet(ObjectViewSet):
    """Yearly economic figures of enterprises, clusters and regions, with their sources."""

    serializer_class = EconomicIndicatorSerializer
    filterset_class = filtersets.IndicatorFilterSet
    select_related = ("enterprise", "cluster", "region")
    services = services
    service_prefix = "indicator"
