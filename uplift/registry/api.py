"""REST API of the registries: the same filters, scope and services as the pages."""

from rest_framework import serializers, viewsets

from uplift.core.api import ObjectViewSet, ScopedModelSerializer

from . import filtersets, services
from .models import (
    ClusterMembership,
    Enterprise,
    Expert,
    IndustrialCluster,
    Industry,
    Region,
    ServiceInstitution,
    ServiceStation,
)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "longitude", "latitude"]


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["code", "name", "name_en", "level", "parent"]


class EnterpriseSerializer(ScopedModelSerializer):
    class Meta:
        model = Enterprise
        fields = [
            "id",
            "credit_code",
            "name",
            "region",
            "industry",
            "size_class",
            "employees",
            "annual_revenue",
            "address",
            "contact_person",
            "contact_phone",
            "created_at",
            "updated_at",
        ]


class ClusterSerializer(ScopedModelSerializer):
    class Meta:
        model = IndustrialCluster
        fields = ["id", "name", "region", "lead_industry", "description", "created_at", "updated_at"]


class ClusterMembershipSerializer(ScopedModelSerializer):
    class Meta:
        model = ClusterMembership
        fields = ["id", "cluster", "enterprise", "joined_on", "created_at", "updated_at"]


class ServiceInstitutionSerializer(ScopedModelSerializer):
    class Meta:
        model = ServiceInstitution
        fields = [
            "id",
            "credit_code",
            "name",
            "region",
            "cma_number",
            "cnas_number",
            "services",
            "contact_person",
            "contact_phone",
            "contact_email",
            "address",
            "created_at",
            "updated_at",
        ]


class ExpertSerializer(ScopedModelSerializer):
    class Meta:
        model = Expert
        fields = [
            "id",
            "name",
            "employer",
            "title",
            "region",
            "specialties",
            "industries",
            "phone",
            "email",
            "created_at",
            "updated_at",
        ]


class ServiceStationSerializer(ScopedModelSerializer):
    class Meta:
        model = ServiceStation
        fields = [
            "id",
            "name",
            "region",
            "cluster",
            "operator",
            "address",
            "phone",
            "opened_on",
            "created_at",
            "updated_at",
        ]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 2260 regions (reference data)."""

    serializer_class = RegionSerializer
    filterset_class = filtersets.RegionFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user)


class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 4754-2017 sections and divisions (reference data)."""

    serializer_class = IndustrySerializer
    filterset_class = filtersets.IndustryFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return Industry.objects.visible_to(self.request.user)


class EnterpriseViewSet(ObjectViewSet):
    """Enterprises the programme serves."""

    serializer_class = EnterpriseSerializer
    filterset_class = filtersets.EnterpriseFilterSet
    services = services


class ClusterViewSet(ObjectViewSet):
    """Regional industrial clusters."""

    serializer_class = ClusterSerializer
    filterset_class = filtersets.ClusterFilterSet
    services = services
    service_prefix = "cluster"


class ClusterMembershipViewSet(ObjectViewSet):
    """Enterprises' memberships of clusters."""

    serializer_class = ClusterMembershipSerializer
    filterset_class = filtersets.ClusterMembershipFilterSet
    services = services
    service_prefix = "cluster_membership"


class ServiceInstitutionViewSet(ObjectViewSet):
    """Quality-service institutions."""

    serializer_class = ServiceInstitutionSerializer
    filterset_class = filtersets.ServiceInstitutionFilterSet
    services = services
    service_prefix = "institution"


class ExpertViewSet(ObjectViewSet):
    """Experts."""

    serializer_class = ExpertSerializer
    filterset_class = filtersets.ExpertFilterSet
    services = services


class ServiceStationViewSet(ObjectViewSet):
    """One-stop quality service stations."""

    serializer_class = ServiceStationSerializer
    filterset_class = filtersets.ServiceStationFilterSet
    services = services
    service_prefix = "station"
