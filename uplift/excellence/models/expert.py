"""The experts' assessment of an enterprise (专家评审): independent scoring, then consensus."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel
from uplift.delivery.models.acceptance import IndependentReview

from ..choices import ExpertAssessmentStatus
from .frameworks import Framework, Item


class ExpertAssessment(HasAttachments, RegionOfEnterprise, ScopedModel):
    """A panel of experts' assessment of one enterprise against a framework, usually from its
    accepted self-assessment (a site visit and interviews behind it).

    Each expert scores every item on their own (:class:`ExpertReview`); no one reads an expert's
    scores before they submit. Then the bureau opens the consensus round: the items on which the
    experts' percentages differ by more than ``spread_threshold`` points are flagged for
    discussion, and the panel records per item the consensus percentage, its rationale, the
    strengths and the opportunities for improvement (:class:`ConsensusItem`). Completing it fixes
    the total out of the framework's points: the score benchmark selection reads, and the
    feedback report the enterprise receives.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="expert_assessments",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="expert_assessments"
    )
    year = models.PositiveSmallIntegerField(
        _("year assessed"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    self_assessment = models.ForeignKey(
        "excellence.SelfAssessment",
        verbose_name=_("self-assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert_assessments",
        help_text=_("The enterprise's accepted self-assessment the panel starts from."),
    )
    visited_on = models.DateField(_("site visit on"), null=True, blank=True)
    spread_threshold = models.PositiveSmallIntegerField(
        _("spread flagged above"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Percentage points: an item whose experts' percentages differ by more is flagged for "
            "discussion in the consensus round."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExpertAssessmentStatus.choices,
        default=ExpertAssessmentStatus.SCORING,
        editable=False,
    )
    summary = models.TextField(
        _("overall feedback"), blank=True, help_text=_("The panel's summary for the enterprise.")
    )
    total = models.DecimalField(
        _("consensus total"), max_digits=6, decimal_places=1, null=True, blank=True, editable=False
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    str_related = ("enterprise",)

    class Meta:
        verbose_name = _("expert assessment")
        verbose_name_plural = _("expert assessments")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "framework", "year"], name="expert_assessment_once")
        ]
        indexes = [models.Index(fields=["region", "status"], name="expert_assessment_region_idx")]

    def __str__(self) -> str:
        return str(
            _("Expert assessment of %(enterprise)s, %(year)s")
            % {"enterprise": self.enterprise, "year": self.year}
        )

    def attachments_open(self) -> bool:
        return self.status != ExpertAssessmentStatus.COMPLETED


class ExpertReview(IndependentReview):
    """One expert's independent scoring of an enterprise (专家独立评分), with their declaration of
    no conflict of interest. An expert who works for the enterprise, or belongs to it, cannot be
    on its panel."""

    assessment = models.ForeignKey(
        ExpertAssessment,
        verbose_name=_("expert assessment"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    expert = models.ForeignKey(
        "registry.Expert",
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="excellence_reviews",
    )

    class Meta:
        verbose_name = _("expert's review")
        verbose_name_plural = _("experts' reviews")
        ordering = ["assessment_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "expert"], name="excellence_review_once")
        ]

    def __str__(self) -> str:
        return str(
            _("%(expert)s's review of %(enterprise)s")
            % {"expert": self.expert, "enterprise": self.assessment.enterprise}
        )


class ExpertItemScore(ScopedModel):
    """One expert's percentage on one item, with their reasons."""

    review = models.ForeignKey(
        ExpertReview, verbose_name=_("expert's review"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    percent = models.PositiveSmallIntegerField(_("percentage"), validators=[MaxValueValidator(100)])
    comment = models.TextField(_("reasons"), blank=True)

    class Meta:
        verbose_name = _("expert's item score")
        verbose_name_plural = _("experts' item scores")
        ordering = ["review_id", "item__category__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="expert_item_once")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.percent}%"


class ConsensusItem(ScopedModel):
    """The panel's agreed percentage on one item, why, and what the enterprise does well and could
    improve there: a line of the feedback report."""

    assessment = models.ForeignKey(
        ExpertAssessment,
        verbose_name=_("expert assessment"),
        on_delete=models.CASCADE,
        related_name="consensus",
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    percent = models.PositiveSmallIntegerField(
        _("consensus percentage"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    spread = models.PositiveSmallIntegerField(
        _("spread"), default=0, editable=False, help_text=_("Highest minus lowest expert percentage.")
    )
    flagged = models.BooleanField(_("flagged for discussion"), default=False, editable=False)
    rationale = models.TextField(_("rationale"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    opportunities = models.TextField(_("opportunities for improvement"), blank=True)

    class Meta:
        verbose_name = _("consensus item")
        verbose_name_plural = _("consensus items")
        ordering = ["assessment_id", "item__category__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="consensus_item_once")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.percent}%"

    @property
    def points(self) -> Decimal | None:
        if self.percent is None:
            return None
        return (Decimal(self.item.points) * self.percent / 100).quantize(Decimal("0.1"))
