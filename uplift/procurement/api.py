"""REST API of procurement: the same scope, services and workflow actions as the pages.

A sealed bid's ``price`` and ``proposal`` read as null/empty until the opening, for everyone; its
bidder sends them when submitting (POST) or replacing (PATCH), and alone reads its ``receipt``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from uplift.accounts.access import principal_of
from uplift.core.api import (
    ObjectViewSet,
    ReadOnlyObjectViewSet,
    ReasonSerializer,
    ScopedModelSerializer,
    ScopedRelatedField,
    with_inputs,
)
from uplift.registry.choices import IndustryLevel
from uplift.registry.models import Industry, ServiceInstitution

from . import filtersets, selectors, services, views
from .models import (
    Award,
    Bid,
    Clarification,
    Contract,
    Criterion,
    Lot,
    Milestone,
    PanelMember,
    Payment,
    Score,
    ScoreSheet,
    Tender,
)


@extend_schema_serializer(component_name="ClarificationAnswer")  # unique across apps in the schema
class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000)


class DeclareSerializer(serializers.Serializer):
    conflicts = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        max_length=100,
        help_text=_("The ids of the bidding institutions the expert is in conflict with; [] for none."),
    )

    def validate_conflicts(self, ids: list[int]) -> list[ServiceInstitution]:
        # Among the bidders the expert can see (the tender's, once opened); nothing else exists here.
        user = self.context["request"].user
        bids = Bid.objects.visible_to(user).filter(institution_id__in=ids).select_related("institution")
        found = {b.institution_id: b.institution for b in bids}
        if missing := sorted(set(ids) - set(found)):
            raise serializers.ValidationError(
                _("Not a bidder you can see: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            )
        return list(found.values())


@extend_schema_serializer(component_name="BidScoreInput")  # unique across apps in the schema
class ScoreInputSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    criterion = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    remark = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


@extend_schema_serializer(component_name="BidScores")  # unique across apps in the schema
class ScoresSerializer(serializers.Serializer):
    lot = ScopedRelatedField(queryset=Lot.objects)
    scores = ScoreInputSerializer(many=True)

    def validate(self, attrs):
        return {
            "lot": attrs["lot"],
            "scores": {
                (s["bid"], s["criterion"]): (s["points"], s.get("remark", "")) for s in attrs["scores"]
            },
        }


class PanelDrawSerializer(serializers.Serializer):
    size = serializers.IntegerField(
        min_value=3, max_value=9, help_text=_("How many experts to draw (3 to 9).")
    )
    specialties = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Only experts whose specialties contain this text; empty for any."),
    )
    industries = ScopedRelatedField(
        queryset=Industry.objects,
        many=True,
        required=False,
        default=list,
        help_text=_("Industry division codes: only experts of at least one of them; [] for any."),
    )

    def validate_industries(self, industries: list[Industry]) -> list[Industry]:
        if sections := [i.pk for i in industries if i.level != IndustryLevel.DIVISION]:
            raise serializers.ValidationError(
                _("Experts are filed under industry divisions, not sections: %(codes)s.")
                % {"codes": ", ".join(sorted(sections))}
            )
        return industries


class DrawnPanelSerializer(serializers.ListSerializer):
    """The panel members a random draw added, in the order drawn."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("child", PanelMemberSerializer())
        super().__init__(*args, **kwargs)


# --- Tenders, lots, criteria, clarifications ---------------------------------------------------


class TenderSerializer(ScopedModelSerializer):
    class Meta:
        model = Tender
        fields = [
            "id",
            "programme",
            "reference",
            "title",
            "description",
            "status",
            "clarification_deadline",
            "bid_deadline",
            "opening_at",
            "evaluation_on",
            "standstill_days",
            "price_formula",
            "price_deduction",
            "bonus_years",
            "bonus_points",
            "drop_extremes",
            "published_at",
            "opened_at",
            "awarded_at",
            "closing_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status"]


class TenderViewSet(ObjectViewSet):
    """Calls for tenders. Workflow: publish → close → open → award, or cancel; ``draw_panel`` draws
    the evaluation panel at random from the expert registry and answers the members drawn."""

    serializer_class = TenderSerializer
    filterset_class = filtersets.TenderFilterSet
    services = services
    select_related = ("programme",)
    workflow = tuple(
        replace(a, response_serializer=DrawnPanelSerializer) if a.name == "draw_panel" else a
        for a in with_inputs(views.TENDER_ACTIONS, cancel=ReasonSerializer, draw_panel=PanelDrawSerializer)
    )


class LotSerializer(ScopedModelSerializer):
    class Meta:
        model = Lot
        fields = [
            "id",
            "tender",
            "number",
            "pilot",
            "title",
            "budget_ceiling",
            "status",
            "created_at",
            "updated_at",
        ]


class LotViewSet(ObjectViewSet):
    """Lots of tenders: one pilot project each, with its budget ceiling."""

    serializer_class = LotSerializer
    filterset_class = filtersets.LotFilterSet
    services = services
    select_related = ("tender",)


class CriterionSerializer(ScopedModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "tender", "position", "kind", "name", "weight", "created_at", "updated_at"]
        # The one-price-criterion rule is the model's (with its message on "kind"), not DRF's guess.
        validators: list = []


class CriterionViewSet(ObjectViewSet):
    """Award criteria and their weights (points out of 100)."""

    serializer_class = CriterionSerializer
    filterset_class = filtersets.CriterionFilterSet
    services = services
    select_related = ("tender",)


class ClarificationSerializer(ScopedModelSerializer):
    class Meta:
        model = Clarification
        fields = ["id", "tender", "question", "answer", "answered_at", "created_at", "updated_at"]
        read_only_fields = ["answer"]


class ClarificationViewSet(ObjectViewSet):
    """Questions about tenders and their published answers."""

    serializer_class = ClarificationSerializer
    filterset_class = filtersets.ClarificationFilterSet
    services = services
    select_related = ("tender",)
    workflow = with_inputs(views.clarification_views.actions, answer=AnswerSerializer)


# --- Bids --------------------------------------------------------------------------------------


class BidSerializer(ScopedModelSerializer):
    price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Sent by the bidder; reads as null until the opening."),
    )
    proposal = serializers.CharField(
        max_length=20000,
        allow_blank=True,
        required=False,
        help_text=_("Sealed with the price until the opening."),
    )
    receipt = serializers.SerializerMethodField(help_text=_("The bidder's receipt (for the bidder only)."))

    class Meta:
        model = Bid
        fields = [
            "id",
            "lot",
            "institution",
            "status",
            "submitted_at",
            "commitment",
            "price",
            "proposal",
            "commitment_ok",
            "disqualified_reason",
            "quality_score",
            "price_score",
            "bonus",
            "total",
            "rank",
            "receipt",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["institution"]

    def get_receipt(self, bid) -> dict[str, str] | None:
        request = self.context.get("request")
        if request is None or bid.institution_id not in principal_of(request.user).institution_ids:
            return None
        return selectors.receipt(bid)


class BidViewSet(ObjectViewSet):
    """Bids. POST submits a sealed bid (institution staff, before the deadline); PATCH replaces it."""

    serializer_class = BidSerializer
    filterset_class = filtersets.BidFilterSet
    services = services
    verbs = {"create": "bid_submit", "update": "bid_replace"}  # noqa: RUF012
    select_related = ("lot__tender", "institution")
    workflow = with_inputs(views.bid_views.actions, disqualify=ReasonSerializer)


# --- Panel and scores --------------------------------------------------------------------------


class PanelMemberSerializer(ScopedModelSerializer):
    class Meta:
        model = PanelMember
        fields = [
            "id",
            "tender",
            "expert",
            "is_chair",
            "declared_at",
            "conflicts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["conflicts"]


class PanelMemberViewSet(ObjectViewSet):
    """Experts on tenders' panels. An expert declares conflicts, then scores each lot (``score``)."""

    serializer_class = PanelMemberSerializer
    filterset_class = filtersets.PanelMemberFilterSet
    services = services
    service_prefix = "panel_member"
    select_related = ("tender", "expert")
    workflow = (
        *with_inputs(views.panel_views.actions, declare=DeclareSerializer),
        views.Action(
            "score",
            _("Save scores"),
            services.scores_save,
            "member",
            permission="view",
            serializer=ScoresSerializer,
            when=lambda obj, user: views._own_seat(obj, user),
            help=_(
                "Save (or change) draft scores of one lot: points per bid and criterion; null clears one."
            ),
        ),
    )


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["bid", "criterion", "points", "remark"]


class ScoreSheetSerializer(ScopedModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreSheet
        fields = ["id", "member", "lot", "status", "submitted_at", "scores", "created_at", "updated_at"]


class ScoreSheetViewSet(ReadOnlyObjectViewSet):
    """Experts' score sheets: each expert's own, others' once their own is submitted."""

    serializer_class = ScoreSheetSerializer
    filterset_class = filtersets.ScoreSheetFilterSet
    select_related = ("member__expert", "lot")
    workflow = tuple(views.sheet_views.actions)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("scores")


# --- Award and contract ------------------------------------------------------------------------


class AwardSerializer(ScopedModelSerializer):
    class Meta:
        model = Award
        fields = ["id", "lot", "bid", "amount", "decided_at", "standstill_ends", "created_at", "updated_at"]


class AwardViewSet(ReadOnlyObjectViewSet):
    """Awards: each lot's winning bid, decided by the tender's ``award`` action."""

    serializer_class = AwardSerializer
    filterset_class = filtersets.AwardFilterSet
    select_related = ("lot", "bid")


class ContractSerializer(ScopedModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "award",
            "institution",
            "reference",
            "amount",
            "signed_on",
            "start_date",
            "end_date",
            "status",
            "created_at",
            "updated_at",
        ]


class ContractViewSet(ObjectViewSet):
    """Contracts signed after an award's standstill; signing creates the service project."""

    serializer_class = ContractSerializer
    filterset_class = filtersets.ContractFilterSet
    services = services
    select_related = ("institution",)


class MilestoneSerializer(ScopedModelSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "contract",
            "title",
            "due_date",
            "amount",
            "status",
            "note",
            "created_at",
            "updated_at",
        ]


class MilestoneViewSet(ObjectViewSet):
    """Contract milestones and whether they were met."""

    serializer_class = MilestoneSerializer
    filterset_class = filtersets.MilestoneFilterSet
    services = services


class PaymentSerializer(ScopedModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "contract", "milestone", "paid_on", "amount", "reference", "created_at", "updated_at"]


class PaymentViewSet(ObjectViewSet):
    """Payments under contracts."""

    serializer_class = PaymentSerializer
    filterset_class = filtersets.PaymentFilterSet
    services = services
