"""REST API of the excellence model: frameworks, self-assessments and their workflow, adoption rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from uplift.core.api import (
    ObjectViewSet,
    ReadOnlyObjectViewSet,
    ReasonSerializer,
    ScopedModelSerializer,
    with_inputs,
)
from uplift.delivery.api import AssignExpertSerializer, SubmitReviewSerializer

from . import filtersets, services, views
from .models import (
    AdoptionRule,
    Benchmark,
    BenchmarkRule,
    Category,
    ConsensusItem,
    ExpertAssessment,
    ExpertItemScore,
    ExpertReview,
    Framework,
    Item,
    SelfAssessment,
    SelfAssessmentItem,
)

STAMPS = ["version", "created_at", "updated_at"]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "code", "name", "name_en", "points", "kind", "guidance", "guidance_en"]


class CategorySerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "points", "items"]


class FrameworkSerializer(ScopedModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "code", "name", "name_en", "total_points", "step", "bands", "categories"]
        read_only_fields = fields


class FrameworkViewSet(ReadOnlyObjectViewSet):
    """Excellence frameworks (GB/T 19580-2012...) with their categories, items, points and bands."""

    serializer_class = FrameworkSerializer
    filterset_class = filtersets.FrameworkFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("categories__items")


class SelfAssessmentItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    points = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = SelfAssessmentItem
        fields = ["item", "code", "percent", "points", "narrative"]
        read_only_fields = fields


class SelfAssessmentSerializer(ScopedModelSerializer):
    items = SelfAssessmentItemSerializer(many=True, read_only=True)

    class Meta:
        model = SelfAssessment
        fields = [
            "id",
            "enterprise",
            "region",
            "framework",
            "year",
            "profile",
            "status",
            "total",
            "submitted_at",
            "comments",
            "accepted_on",
            "accepted_by",
            "items",
            *STAMPS,
        ]
        read_only_fields = [
            "region",
            "status",
            "total",
            "submitted_at",
            "comments",
            "accepted_on",
            "accepted_by",
        ]


class ResponseInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The framework item's id.")
    percent = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False, default=None
    )
    narrative = serializers.CharField(max_length=8000, allow_blank=True, required=False, default="")


class ResponsesSerializer(serializers.Serializer):
    responses = ResponseInputSerializer(many=True, allow_empty=False)

    def validate(self, attrs):
        return {"responses": [(r["item"], r["percent"], r["narrative"]) for r in attrs["responses"]]}


class SelfAssessmentViewSet(ObjectViewSet):
    """Enterprises' self-assessments. Workflow: ``respond`` (items' percentages and narratives, as
    often as needed) → ``submit`` → the bureau ``accept``s, or ``return``s it with comments."""

    serializer_class = SelfAssessmentSerializer
    filterset_class = filtersets.SelfAssessmentFilterSet
    select_related = ("enterprise", "framework")
    services = services
    service_prefix = "self_assessment"
    workflow = with_inputs(
        views.self_assessment_views.actions, respond=ResponsesSerializer, **{"return": ReasonSerializer}
    )

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items__item")


class AdoptionRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = AdoptionRule
        fields = [
            "id",
            "programme",
            "training_method",
            "self_assessment_required",
            "framework",
            "min_self_score",
            *STAMPS,
        ]


class AdoptionRuleViewSet(ObjectViewSet):
    """When each programme counts an enterprise as having adopted the excellence model; a change
    recounts the programme's adopters."""

    serializer_class = AdoptionRuleSerializer
    filterset_class = filtersets.AdoptionRuleFilterSet
    select_related = ("programme",)
    services = services
    service_prefix = "adoption_rule"


class ExpertAssessmentSerializer(ScopedModelSerializer):
    class Meta:
        model = ExpertAssessment
        fields = [
            "id",
            "enterprise",
            "region",
            "framework",
            "year",
            "self_assessment",
            "visited_on",
            "spread_threshold",
            "status",
            "summary",
            "total",
            "completed_on",
            "completed_by",
            *STAMPS,
        ]
        read_only_fields = ["region", "status", "total", "completed_on", "completed_by"]


class ConsensusItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = ConsensusItem
        fields = ["item", "code", "percent", "spread", "flagged", "rationale", "strengths", "opportunities"]
        read_only_fields = fields


class ConsensusInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The framework item's id.")
    percent = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False, default=None
    )
    rationale = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    strengths = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    opportunities = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class AgreeSerializer(serializers.Serializer):
    rows = ConsensusInputSerializer(many=True, allow_empty=False)
    summary = serializers.CharField(
        max_length=8000, allow_blank=True, required=False, default=None, allow_null=True
    )

    def validate(self, attrs):
        return {
            "rows": [
                (r["item"], r["percent"], r["rationale"], r["strengths"], r["opportunities"])
                for r in attrs["rows"]
            ],
            "summary": attrs.get("summary"),
        }


class ExpertAssessmentViewSet(ObjectViewSet):
    """Expert assessments of enterprises. Workflow: ``assign`` experts (each scores on their own,
    see ``excellence/expert-reviews``) → ``consensus`` (items with a spread above the threshold
    flagged) → ``agree`` (per item: percentage, rationale, strengths, opportunities) → ``complete``.
    ``consensus/`` (GET) lists the consensus rows."""

    serializer_class = ExpertAssessmentSerializer
    filterset_class = filtersets.ExpertAssessmentFilterSet
    select_related = ("enterprise", "framework")
    services = services
    service_prefix = "expert_assessment"
    workflow = with_inputs(
        views.expert_assessment_views.actions, assign=AssignExpertSerializer, agree=AgreeSerializer
    )

    @extend_schema(summary="The consensus per item", responses=ConsensusItemSerializer(many=True))
    @drf_action(detail=True, methods=["get"], url_path="consensus-items", url_name="consensus-items")
    def consensus_items(self, request, *args, **kwargs):
        rows = (
            ConsensusItem.objects.visible_to(request.user)
            .filter(assessment=self.get_object())
            .select_related("item")
            .order_by("item__category__order", "item__order")
        )
        return Response(ConsensusItemSerializer(rows, many=True).data)


class ExpertItemScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertItemScore
        fields = ["item", "percent", "comment"]


class ExpertReviewSerializer(ScopedModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = ExpertReview
        fields = [
            "id",
            "assessment",
            "expert",
            "status",
            "opinion",
            "no_conflict",
            "scores",
            "assigned_by",
            "submitted_at",
            "withdrawn_reason",
            *STAMPS,
        ]
        read_only_fields = fields

    @extend_schema_field(ExpertItemScoreSerializer(many=True))
    def get_scores(self, review: ExpertReview) -> list[dict]:
        request = self.context.get("request")
        if request is None:
            return []
        scores = ExpertItemScore.objects.visible_to(request.user).filter(review=review)
        return ExpertItemScoreSerializer(
            scores.order_by("item__category__order", "item__order"), many=True
        ).data


@extend_schema_serializer(component_name="AssessmentScoreInput")  # unique across apps in the schema
class ScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The framework item's id.")
    percent = serializers.IntegerField(min_value=0, max_value=100, allow_null=True)
    comment = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class ExpertScoresSerializer(serializers.Serializer):
    scores = ScoreInputSerializer(many=True, allow_empty=False)
    opinion = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        return {
            "scores": [(s["item"], s["percent"], s["comment"]) for s in attrs["scores"]],
            "opinion": attrs.get("opinion", ""),
        }


class ExpertReviewViewSet(ReadOnlyObjectViewSet):
    """Experts' independent scoring of enterprises. An expert ``score``s (as often as they like)
    and ``submit``s their own; the bureau reads the scores once submitted, and may ``withdraw`` an
    expert who has not submitted."""

    serializer_class = ExpertReviewSerializer
    filterset_class = filtersets.ExpertReviewFilterSet
    select_related = ("assessment", "expert")
    workflow = with_inputs(
        views.expert_review_views.actions,
        score=ExpertScoresSerializer,
        submit=SubmitReviewSerializer,
        withdraw=ReasonSerializer,
    )


class BenchmarkRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = BenchmarkRule
        fields = [
            "id",
            "programme",
            "min_score",
            "framework",
            "clean_months",
            "no_open_severe_problem",
            "min_adopted_months",
            *STAMPS,
        ]


class BenchmarkRuleViewSet(ObjectViewSet):
    """The rules each programme selects its quality benchmark enterprises by."""

    serializer_class = BenchmarkRuleSerializer
    filterset_class = filtersets.BenchmarkRuleFilterSet
    select_related = ("programme",)
    services = services
    service_prefix = "benchmark_rule"


class BenchmarkSerializer(ScopedModelSerializer):
    override_reason = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text="Only when the enterprise misses a rule: why approve it anyway.",
    )

    class Meta:
        model = Benchmark
        fields = [
            "id",
            "programme",
            "enterprise",
            "region",
            "cluster",
            "assessment",
            "approved_on",
            "approved_by",
            "reason",
            "missed",
            "override_reason",
            "status",
            "revoked_reason",
            *STAMPS,
        ]
        read_only_fields = [
            "region",
            "assessment",
            "approved_on",
            "approved_by",
            "missed",
            "status",
            "revoked_reason",
        ]


class BenchmarkViewSet(ObjectViewSet):
    """Quality benchmark enterprises. ``POST`` approves one (the programme's rules are checked; one
    missing a rule needs ``override_reason``); ``revoke`` withdraws the title."""

    serializer_class = BenchmarkSerializer
    filterset_class = filtersets.BenchmarkFilterSet
    select_related = ("enterprise", "programme", "cluster")
    services = services
    verbs = {"create": "benchmark_approve", "update": "benchmark_update"}  # noqa: RUF012
    workflow = with_inputs(views.benchmark_views.actions, revoke=ReasonSerializer)
