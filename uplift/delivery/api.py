"""REST API of delivery: service projects and acceptance grades."""

from uplift.core.api import ObjectViewSet, ReadOnlyObjectViewSet, ScopedModelSerializer

from . import filtersets, services
from .models import GradeRecord, ServiceProject


class ServiceProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = ServiceProject
        fields = [
            "id",
            "contract",
            "pilot",
            "institution",
            "title",
            "status",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]


class ServiceProjectViewSet(ReadOnlyObjectViewSet):
    """Service projects: created when a contract is signed."""

    serializer_class = ServiceProjectSerializer
    filterset_class = filtersets.ServiceProjectFilterSet
    select_related = ("pilot", "institution")


class GradeRecordSerializer(ScopedModelSerializer):
    class Meta:
        model = GradeRecord
        fields = [
            "id",
            "institution",
            "project_title",
            "programme",
            "grade",
            "accepted_on",
            "source",
            "created_at",
            "updated_at",
        ]


class GradeRecordViewSet(ObjectViewSet):
    """Institutions' acceptance grades; the latest Excellent one earns the tender bonus."""

    serializer_class = GradeRecordSerializer
    filterset_class = filtersets.GradeRecordFilterSet
    services = services
    service_prefix = "grade_record"
