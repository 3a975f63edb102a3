"""Acceptance (验收评价): the bureau's panel scores a submitted project against the programme's
rubric, the total gives the grade (优秀/良好/一般/不合格), and the grade is published."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from uplift.core.models import ScopedModel

from ..choices import GRADE_BANDS, AcceptanceStatus, CriterionBasis, Grade, ReviewStatus


class AcceptanceCriterion(ScopedModel):
    """One criterion of a programme's acceptance rubric, with the points it carries.

    A programme's criteria carry 100 points in all; a project cannot be graded until they do.
    The rubric is public: institutions know from the start how they will be judged. A criterion
    is judged by the panel, or computed (``basis = kpi``): its points times the project's KPI
    attainment, read from its records when the project is graded — nobody scores it.
    """

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="acceptance_criteria",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=100)
    guidance = models.TextField(_("scoring guidance"), blank=True)
    points = models.PositiveSmallIntegerField(
        _("points"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    basis = models.CharField(
        _("scored"),
        max_length=10,
        choices=CriterionBasis.choices,
        default=CriterionBasis.JUDGED,
        help_text=_(
            "Computed: the points times the project's KPI attainment (the average over its KPIs of "
            "actual ÷ target, each counted up to 100%), from its approved records."
        ),
    )

    class Meta:
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        ordering = ["programme_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="acceptance_criterion_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"

    @property
    def is_computed(self) -> bool:
        return self.basis == CriterionBasis.KPI


def grade_for(total: Decimal, bands: list[tuple[Decimal, str]] | None = None) -> str:
    """The grade a total out of 100 earns: ``bands`` are a programme's thresholds, best first
    (``Programme.grade_bands()``; by default 90 / 75 / 60)."""
    for lowest, grade in bands or GRADE_BANDS:
        if total >= lowest:
            return grade
    return Grade.FAIL


class Acceptance(ScopedModel):
    """The acceptance of one service project: the panel, its scores per criterion, the total, the
    grade and the panel's conclusion. Grading closes the project (accepted, or failed) and writes
    the institution's :class:`GradeRecord`, which later tenders' past-grade bonus reads;
    publishing puts the grade in the public bulletin (通报)."""

    project = models.OneToOneField(
        "delivery.ServiceProject",
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="acceptance",
    )
    held_on = models.DateField(_("held on"))
    panel = models.TextField(_("panel"), help_text=_("The members of the acceptance panel, one per line."))
    conclusion = models.TextField(_("conclusion"), blank=True, help_text=_("The panel's opinion (验收意见)."))
    status = models.CharField(
        _("status"), max_length=10, choices=AcceptanceStatus.choices, default=AcceptanceStatus.DRAFT
    )
    total = models.DecimalField(
        _("total score"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True, editable=False)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True, editable=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    bulletin_number = models.CharField(
        _("bulletin number"),
        max_length=60,
        blank=True,
        editable=False,
        help_text=_("Like 鄂质发〔2019〕3号."),
    )
    grade_record = models.OneToOneField(
        "delivery.GradeRecord",
        verbose_name=_("grade record"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="acceptance",
    )

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return str(_("Acceptance of %(project)s") % {"project": self.project})

    def clean(self) -> None:
        if self.held_on and self.held_on > datetime.date.today():
            raise ValidationError(
                {"held_on": _("An acceptance is recorded once held; this date is in the future.")}
            )


class AcceptanceScore(ScopedModel):
    """The panel's agreed score of a project on one criterion, with its reasons."""

    acceptance = models.ForeignKey(
        Acceptance, verbose_name=_("acceptance"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        AcceptanceCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    comment = models.TextField(_("reasons"), blank=True)

    class Meta:
        verbose_name = _("acceptance score")
        verbose_name_plural = _("acceptance scores")
        ordering = ["acceptance_id", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["acceptance", "criterion"], name="acceptance_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"

    def clean(self) -> None:
        if self.criterion_id and self.acceptance_id:
            check_score(self.criterion, self.score, self.acceptance.project.pilot.programme_id)


def check_score(criterion: AcceptanceCriterion, score: Decimal | None, programme_id: int) -> None:
    """A score on ``criterion`` is within its points and the criterion is the programme's."""
    errors = {}
    if score is not None and score > criterion.points:
        errors["score"] = _("At most %(points)s points on this criterion.") % {"points": criterion.points}
    if criterion.programme_id != programme_id:
        errors["criterion"] = _("This criterion belongs to another programme's rubric.")
    if errors:
        raise ValidationError(errors)


class IndependentReview(ScopedModel):
    """Abstract base of an expert's independent review (专家独立评分): assigned by the bureau,
    scored alone, submitted with a declaration of no conflict of interest (final), or withdrawn
    by the bureau before that. Acceptance reviews and excellence-model reviews share it; who reads
    the scores when is decided in :mod:`uplift.accounts.access`."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.ASSIGNED,
        editable=False,
    )
    opinion = models.TextField(_("opinion"), blank=True, help_text=_("The expert's overall opinion."))
    no_conflict = models.BooleanField(
        _("declared no conflict of interest"),
        default=False,
        editable=False,
        help_text=_("The expert declared, on submitting, no conflict of interest with the one reviewed."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    # 调出原因: the expert is moved off the panel. A withdrawn service request's reason (撤回原因)
    # is the plain msgid; the context keeps the two apart in Chinese.
    withdrawn_reason = models.TextField(
        pgettext_lazy("expert withdrawn from a panel", "reason for withdrawal"), blank=True, editable=False
    )

    class Meta:
        abstract = True


class AcceptanceReview(IndependentReview):
    """One expert's independent review of a project at its acceptance (专家独立评分).

    The bureau assigns registry experts who have an account; each scores every criterion of the
    rubric on their own and submits, declaring no conflict of interest with the institution. No one
    reads an expert's scores before they submit — not the other experts, not the bureau — and an
    expert reads the others' only once their own is in. When every assigned expert has submitted,
    the bureau adopts their average as the agreed scores (or records the scores the panel agrees
    after discussing the items they differ most on), then grades.
    """

    acceptance = models.ForeignKey(
        Acceptance, verbose_name=_("acceptance"), on_delete=models.PROTECT, related_name="reviews"
    )
    expert = models.ForeignKey(
        "registry.Expert",
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="acceptance_reviews",
    )

    class Meta:
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")
        ordering = ["acceptance_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["acceptance", "expert"], name="acceptance_review_once")
        ]

    def __str__(self) -> str:
        return str(
            _("%(expert)s's review of %(project)s")
            % {"expert": self.expert, "project": self.acceptance.project}
        )


class ReviewScore(ScopedModel):
    """One expert's score of a project on one criterion, with reasons."""

    review = models.ForeignKey(
        AcceptanceReview, verbose_name=_("expert review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        AcceptanceCriterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="review_scores",
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    comment = models.TextField(_("reasons"), blank=True)

    class Meta:
        verbose_name = _("expert's score")
        verbose_name_plural = _("experts' scores")
        ordering = ["review_id", "criterion__order"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="review_score_once")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"

    def clean(self) -> None:
        if self.criterion_id and self.review_id:
            check_score(self.criterion, self.score, self.review.acceptance.project.pilot.programme_id)
