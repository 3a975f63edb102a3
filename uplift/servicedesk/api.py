"""REST API of the one-stop service: the same scope, services and workflow actions as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from uplift.core.api import ObjectViewSet, ScopedModelSerializer, ScopedRelatedField, with_inputs
from uplift.delivery.choices import ActivityKind, ProblemCategory, Severity
from uplift.delivery.models import ServiceProject
from uplift.programmes.models import Programme
from uplift.registry.models import Expert, ServiceInstitution, ServiceStation

from . import filtersets, services, views
from .models import ResponseTarget, RoutingRule, ServiceRequest


class ServiceRequestSerializer(ScopedModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    answered_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    hours_to_first_response = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "enterprise",
            "region",
            "cluster",
            "topic",
            "title",
            "description",
            "channel",
            "status",
            "filed_by",
            "filed_at",
            "station",
            "institution",
            "expert",
            "routed_by",
            "response_due_at",
            "answer_due_at",
            "accepted_at",
            "started_at",
            "answered_at",
            "answer",
            "answered_by",
            "closed_at",
            "satisfaction",
            "comment",
            "withdrawal_reason",
            "problem",
            "activity",
            "is_overdue",
            "answered_on_time",
            "hours_to_first_response",
            "created_at",
            "updated_at",
        ]
        # Routing and every step go through the workflow actions.
        read_only_fields = [
            "region",
            "station",
            "institution",
            "expert",
            "routed_by",
            "status",
            "problem",
            "activity",
        ]


class RouteSerializer(serializers.Serializer):
    station = ScopedRelatedField(queryset=ServiceStation.objects, required=False, allow_null=True)
    institution = ScopedRelatedField(queryset=ServiceInstitution.objects, required=False, allow_null=True)
    expert = ScopedRelatedField(queryset=Expert.objects, required=False, allow_null=True)


@extend_schema_serializer(component_name="RequestAnswer")  # unique across apps in the schema
class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000)


class CloseSerializer(serializers.Serializer):
    # The range (1–5) is the service's to check, so a refusal is audited like the page's.
    satisfaction = serializers.IntegerField(help_text="From 1 (poor) to 5 (excellent).")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class _ProjectWorkSerializer(serializers.Serializer):
    # Narrowed to what the user may pick; delivery's service refuses a project not in progress.
    project = ScopedRelatedField(queryset=ServiceProject.objects, required=False, allow_null=True)
    programme = ScopedRelatedField(queryset=Programme.objects, required=False, allow_null=True)


class ToProblemSerializer(_ProjectWorkSerializer):
    category = serializers.ChoiceField(choices=ProblemCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    deadline = serializers.DateField()


class ToActivitySerializer(_ProjectWorkSerializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)


class ServiceRequestViewSet(ObjectViewSet):
    """Enterprises' requests to the one-stop service. Workflow: route → accept → start → answer →
    close (with the rating), or withdraw; to_problem / to_activity turn one into project work."""

    serializer_class = ServiceRequestSerializer
    filterset_class = filtersets.ServiceRequestFilterSet
    select_related = ("enterprise", "station__operator")
    services = services
    service_prefix = "request"
    workflow = with_inputs(
        views.request_views.actions,
        route=RouteSerializer,
        answer=AnswerSerializer,
        close=CloseSerializer,
        withdraw=WithdrawSerializer,
        to_problem=ToProblemSerializer,
        to_activity=ToActivitySerializer,
    )


class ResponseTargetSerializer(ScopedModelSerializer):
    class Meta:
        model = ResponseTarget
        fields = ["id", "region", "topic", "response_hours", "answer_days", "created_at", "updated_at"]


class ResponseTargetViewSet(ObjectViewSet):
    """Each region's service promise per topic: hours to the first response, days to the answer."""

    serializer_class = ResponseTargetSerializer
    filterset_class = filtersets.ResponseTargetFilterSet
    services = services
    service_prefix = "response_target"


class RoutingRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "name",
            "region",
            "topic",
            "cluster",
            "station",
            "institution",
            "expert",
            "priority",
            "is_active",
            "created_at",
            "updated_at",
        ]


class RoutingRuleViewSet(ObjectViewSet):
    """Where new requests go: the most specific matching active rule wins."""

    serializer_class = RoutingRuleSerializer
    filterset_class = filtersets.RoutingRuleFilterSet
    select_related = ("region",)
    services = services
    service_prefix = "routing_rule"
