"""REST API of delivery: the same scope, services and workflow actions as the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from uplift.core.api import (
    ObjectViewSet,
    ReadOnlyObjectViewSet,
    ReasonSerializer,
    ScopedModelSerializer,
    ScopedRelatedField,
    with_inputs,
)
from uplift.registry.models import Expert

from . import filtersets, services, views
from .models import (
    Acceptance,
    AcceptanceCriterion,
    AcceptanceReview,
    AcceptanceScore,
    Activity,
    Benefit,
    EvaluationReport,
    GradeRecord,
    Participation,
    Problem,
    ProjectKpi,
    ReviewScore,
    ServiceProject,
    Standard,
    StandardWork,
)


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


STAMPS = ["created_at", "updated_at"]


class ProjectPlacedSerializer(ScopedModelSerializer):
    """A project's result: the programme, cluster and institution are the project's; without a
    project (the bureau's own) the programme is named."""

    def get_fields(self):
        fields = super().get_fields()
        if "programme" in fields:
            fields["programme"].required = False
            fields["programme"].help_text = _("Taken from the project when it has one.")
        return fields

    def validate(self, attrs):
        project = attrs.get("project") or (self.instance.project if self.instance else None)
        if project is not None:
            attrs["programme"] = project.pilot.programme
            if "cluster" in self.fields:
                attrs["cluster"] = project.pilot.cluster
        elif self.instance is None and not attrs.get("programme"):
            raise serializers.ValidationError(
                {"programme": _("Choose the programme, or the service project.")}
            )
        return attrs


class ProblemSerializer(ProjectPlacedSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    days_to_close = serializers.IntegerField(read_only=True, allow_null=True)

    def validate(self, attrs):
        # Found in an activity: the activity says which project (or programme) the problem is of.
        activity = attrs.get("activity")
        if activity is not None and self.instance is None and not attrs.get("project"):
            if activity.project_id:
                attrs["project"] = activity.project
            else:
                attrs.setdefault("programme", activity.programme)
        return super().validate(attrs)

    class Meta:
        model = Problem
        fields = [
            "id",
            "programme",
            "project",
            "activity",
            "cluster",
            "institution",
            "enterprise",
            "region",
            "category",
            "severity",
            "found_on",
            "description",
            "root_cause",
            "corrective_action",
            "responsible_person",
            "deadline",
            "status",
            "corrected_on",
            "closed_on",
            "verified_by",
            "verification_note",
            "is_overdue",
            "days_to_close",
            *STAMPS,
        ]
        # The status moves only through correct / verify / reopen.
        read_only_fields = ["cluster", "institution", "region", "status"]


class CorrectSerializer(serializers.Serializer):
    root_cause = serializers.CharField(max_length=4000)
    corrective_action = serializers.CharField(max_length=4000)
    corrected_on = serializers.DateField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ProblemViewSet(ObjectViewSet):
    """Quality problems found at enterprises. Workflow: correct → verify (closed, solved), or reopen."""

    serializer_class = ProblemSerializer
    filterset_class = filtersets.ProblemFilterSet
    select_related = ("enterprise", "project", "activity")
    services = services
    workflow = with_inputs(
        views.problem_views.actions, correct=CorrectSerializer, verify=NoteSerializer, reopen=ReturnSerializer
    )


class StandardSerializer(ScopedModelSerializer):
    class Meta:
        model = Standard
        fields = [
            "id",
            "number",
            "level",
            "title",
            "status",
            "issued_by",
            "cluster",
            "approved_on",
            "published_on",
            "effective_on",
            "withdrawn_on",
            *STAMPS,
        ]
        validators: list = []  # the number's uniqueness is checked after it is normalised


class StandardViewSet(ObjectViewSet):
    """The standards registry: national, local (DB42/T), group and enterprise standards."""

    serializer_class = StandardSerializer
    filterset_class = filtersets.StandardFilterSet
    services = services


class StandardWorkSerializer(ProjectPlacedSerializer):
    class Meta:
        model = StandardWork
        fields = [
            "id",
            "programme",
            "project",
            "standard",
            "kind",
            "cluster",
            "institution",
            "region",
            "started_on",
            "note",
            *STAMPS,
        ]
        read_only_fields = ["institution"]
        validators: list = []
        extra_kwargs = {"region": {"required": False, "help_text": _("The cluster's region by default.")}}


class StandardWorkViewSet(ObjectViewSet):
    """Standards drafted or revised in projects; a local one counts once approved."""

    serializer_class = StandardWorkSerializer
    filterset_class = filtersets.StandardWorkFilterSet
    select_related = ("standard", "project")
    services = services
    service_prefix = "standard_work"


class EvaluationReportSerializer(ProjectPlacedSerializer):
    class Meta:
        model = EvaluationReport
        fields = [
            "id",
            "programme",
            "project",
            "cluster",
            "institution",
            "enterprise",
            "region",
            "standard",
            "report_number",
            "issued_on",
            "conclusion",
            "summary",
            "evaluator",
            *STAMPS,
        ]
        read_only_fields = ["cluster", "institution", "region"]
        validators: list = []


class EvaluationReportViewSet(ObjectViewSet):
    """Enterprise-standard evaluation reports issued to enterprises."""

    serializer_class = EvaluationReportSerializer
    filterset_class = filtersets.EvaluationReportFilterSet
    select_related = ("enterprise", "standard")
    services = services
    service_prefix = "evaluation_report"


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class BenefitSerializer(ProjectPlacedSerializer):
    class Meta:
        model = Benefit
        fields = [
            "id",
            "programme",
            "project",
            "cluster",
            "institution",
            "enterprise",
            "region",
            "kind",
            "amount",
            "year",
            "calculation",
            "evidence",
            "status",
            "submitted_at",
            "submitted_by",
            "verified_at",
            "verified_by",
            "verification_note",
            *STAMPS,
        ]
        read_only_fields = ["institution", "region", "status"]


class BenefitViewSet(ObjectViewSet):
    """Economic benefits. Workflow: submit → verify (it counts), or reject with a reason."""

    serializer_class = BenefitSerializer
    filterset_class = filtersets.BenefitFilterSet
    select_related = ("enterprise", "cluster")
    services = services
    workflow = with_inputs(views.benefit_views.actions, verify=NoteSerializer, reject=RejectSerializer)


class AcceptanceCriterionSerializer(ScopedModelSerializer):
    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "programme", "order", "name", "points", "basis", "guidance", *STAMPS]
        validators: list = []


class AcceptanceCriterionViewSet(ObjectViewSet):
    """The programmes' acceptance rubrics: criteria with their points (100 in all per programme)."""

    serializer_class = AcceptanceCriterionSerializer
    filterset_class = filtersets.AcceptanceCriterionFilterSet
    services = services
    service_prefix = "acceptance_criterion"


class AcceptanceScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceScore
        fields = ["criterion", "score", "comment"]


class AcceptanceSerializer(ScopedModelSerializer):
    scores = AcceptanceScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Acceptance
        fields = [
            "id",
            "project",
            "held_on",
            "panel",
            "conclusion",
            "status",
            "scores",
            "total",
            "grade",
            "graded_at",
            "graded_by",
            "published_at",
            "bulletin_number",
            "grade_record",
            *STAMPS,
        ]
        read_only_fields = ["status"]


@extend_schema_serializer(component_name="AcceptanceScoreInput")  # unique across apps in the schema
class ScoreInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="AcceptanceScores")  # unique across apps in the schema
class ScoresSerializer(serializers.Serializer):
    scores = ScoreInputSerializer(many=True, allow_empty=False)

    def validate(self, attrs):
        return {"scores": [(s["criterion"], s["score"], s["comment"]) for s in attrs["scores"]]}


class PublishSerializer(serializers.Serializer):
    bulletin_number = serializers.CharField(max_length=60)


class AssignExpertSerializer(serializers.Serializer):
    expert = ScopedRelatedField(queryset=Expert.objects)  # narrowed to what the user may pick


class AcceptanceViewSet(ObjectViewSet):
    """Acceptances of submitted projects. Workflow: assign experts (each scores on their own, see
    ``delivery/reviews``) → adopt their average, or score the panel's agreed scores → grade
    (closes the project) → publish."""

    serializer_class = AcceptanceSerializer
    filterset_class = filtersets.AcceptanceFilterSet
    select_related = ("project", "grade_record")
    services = services
    workflow = with_inputs(
        views.acceptance_views.actions,
        score=ScoresSerializer,
        publish=PublishSerializer,
        assign=AssignExpertSerializer,
    )

    def get_queryset(self):
        return super().get_queryset().prefetch_related("scores")


class ReviewScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewScore
        fields = ["criterion", "score", "comment"]


class AcceptanceReviewSerializer(ScopedModelSerializer):
    """An expert's review; ``scores`` are those the reader may see (none of another's before it
    is submitted)."""

    scores = serializers.SerializerMethodField()

    class Meta:
        model = AcceptanceReview
        fields = [
            "id",
            "acceptance",
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

    @extend_schema_field(ReviewScoreSerializer(many=True))
    def get_scores(self, review: AcceptanceReview) -> list[dict]:
        request = self.context.get("request")
        if request is None:
            return []
        scores = (
            ReviewScore.objects.visible_to(request.user).filter(review=review).order_by("criterion__order")
        )
        return ReviewScoreSerializer(scores, many=True).data


@extend_schema_serializer(component_name="ReviewScores")
class ReviewScoresSerializer(ScoresSerializer):
    opinion = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        return {**super().validate(attrs), "opinion": attrs.get("opinion", "")}


class SubmitReviewSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField(
        help_text="Declares no conflict of interest with the one reviewed."
    )


class AcceptanceReviewViewSet(ReadOnlyObjectViewSet):
    """Experts' independent reviews of acceptances. An expert scores (``score``, as often as they
    like) and ``submit``s their own; the bureau reads the scores once submitted, and may
    ``withdraw`` an expert who has not submitted."""

    serializer_class = AcceptanceReviewSerializer
    filterset_class = filtersets.AcceptanceReviewFilterSet
    select_related = ("acceptance", "expert")
    workflow = with_inputs(
        views.review_views.actions,
        score=ReviewScoresSerializer,
        submit=SubmitReviewSerializer,
        withdraw=ReasonSerializer,
    )
