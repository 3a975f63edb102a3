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

from uplift.core.models import ScopedModel

from ..choices import GRADE_BANDS, AcceptanceStatus, Grade


class AcceptanceCriterion(ScopedModel):
    """One criterion of a programme's acceptance rubric, with the points it carries.

    A programme's criteria carry 100 points in all; a project cannot be graded until they do.
    The rubric is public: institutions know from the start how they will be judged.
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

    class Meta:
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        ordering = ["programme_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="acceptance_criterion_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


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
        errors = {}
        if self.criterion_id and self.score is not None and self.score > self.criterion.points:
            errors["score"] = _("At most %(points)s points on this criterion.") % {
                "points": self.criterion.points
            }
        if self.criterion_id and self.acceptance_id:
            if self.criterion.programme_id != self.acceptance.project.pilot.programme_id:
                errors["criterion"] = _("This criterion belongs to another programme's rubric.")
        if errors:
            raise ValidationError(errors)
