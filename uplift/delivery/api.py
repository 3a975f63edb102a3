"""REST API of delivery: the same scope, services and workflow actions as the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from uplift.core.api import ObjectViewSet, ScopedModelSerializer, with_inputs

from . import filtersets, services, views
from .models import Activity, GradeRecord, Participation, ProjectKpi, ServiceProject


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
            "goals",
            "enterprises_targeted",
            "schedule",
            "started_at",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["contract", "status", "started_at", "submitted_at"]


class ServiceProjectViewSet(ObjectViewSet):
    """Service projects, opened when a contract is signed. Workflow: start → submit for acceptance."""

    serializer_class = ServiceProjectSerializer
    filterset_class = filtersets.ServiceProjectFilterSet
    select_related = ("pilot", "institution")
    services = services
    service_prefix = "project"
    workflow = tuple(views.project_views.actions)


class ProjectKpiSerializer(ScopedModelSerializer):
    class Meta:
        model = ProjectKpi
        fields = ["id", "project", "kind", "target", "note", "created_at", "updated_at"]


class ProjectKpiViewSet(ObjectViewSet):
    """Projects' KPI targets; the actual values are counted from approved records (project page)."""

    serializer_class = ProjectKpiSerializer
    filterset_class = filtersets.ProjectKpiFilterSet
    services = services
    service_prefix = "kpi"


class ActivitySerializer(ScopedModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "programme",
            "project",
            "cluster",
            "region",
            "institution",
            "station",
            "kind",
            "held_on",
            "place",
            "topic",
            "description",
            "delivered_by",
            "methods",
            "external_id",
            "status",
            "submitted_at",
            "submitted_by",
            "return_reason",
            "approved_at",
            "approved_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "institution",
            "status",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
        ]
        # The (programme, external id) constraint is the model's to check (full_clean in the
        # service): as a serializer validator it would make the programme required.
        validators: list = []
        extra_kwargs = {
            "programme": {"required": False, "help_text": _("Taken from the project when it has one.")},
            "region": {"required": False, "help_text": _("Taken from the project's cluster by default.")},
        }

    def validate(self, attrs):
        project = attrs.get("project") or (self.instance.project if self.instance else None)
        if project is not None:
            attrs["programme"] = project.pilot.programme
            attrs["cluster"] = project.pilot.cluster
            attrs.setdefault("region", project.pilot.cluster.region)
        elif self.instance is None:
            if not attrs.get("programme"):
                raise serializers.ValidationError(
                    {"programme": _("Choose the programme, or the service project.")}
                )
            if not attrs.get("region"):
                if attrs.get("cluster") is None:
                    raise serializers.ValidationError({"region": _("Say where the activity was held.")})
                attrs["region"] = attrs["cluster"].region
        return attrs


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ParticipantSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(help_text=_("The enterprise's id."))
    managers = serializers.IntegerField(
        min_value=0, default=1, help_text=_("Quality managers who took part.")
    )


class ParticipantsSerializer(serializers.Serializer):
    participants = ParticipantSerializer(many=True, allow_empty=False, max_length=5000)

    def validate(self, attrs):
        return {"rows": [(p["enterprise"], p["managers"]) for p in attrs["participants"]]}


class ActivityViewSet(ObjectViewSet):
    """Quality-improvement activities. Workflow: participants → submit → approve, or return."""

    serializer_class = ActivitySerializer
    filterset_class = filtersets.ActivityFilterSet
    select_related = ("programme", "project", "cluster", "region", "institution", "station")
    services = services
    workflow = with_inputs(
        views.activity_views.actions, participants=ParticipantsSerializer, **{"return": ReturnSerializer}
    )


class ParticipationSerializer(ScopedModelSerializer):
    class Meta:
        model = Participation
        fields = ["id", "activity", "enterprise", "region", "managers", "note", "created_at", "updated_at"]
        read_only_fields = ["region"]


class ParticipationViewSet(ObjectViewSet):
    """Enterprises taking part in activities, with their headcount of quality managers."""

    serializer_class = ParticipationSerializer
    filterset_class = filtersets.ParticipationFilterSet
    select_related = ("activity", "enterprise")
    services = services
    workflow = tuple(views.participation_views.actions)


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
