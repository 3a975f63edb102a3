"""An enterprise's self-assessment against a framework (自我评价)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel

from ..choices import OPEN_STATES, SelfAssessmentStatus
from .frameworks import Framework, Item


class SelfAssessment(HasAttachments, RegionOfEnterprise, ScopedModel):
    """An enterprise's self-assessment against a framework (自我评价): per item a narrative of what
    it does and achieves, and a percentage in the framework's bands; evidence files attached.

    The enterprise writes it (or a bureau officer on its behalf), submits it, and the bureau
    accepts it or returns it with comments for another round. An accepted self-assessment is one
    of the conditions of adopting the model (:class:`AdoptionRule`). ``total`` (out of the
    framework's points) is worked out from the items when it is submitted.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="self_assessments"
    )
    year = models.PositiveSmallIntegerField(
        _("year assessed"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    profile = models.TextField(
        _("organisational profile"),
        blank=True,
        help_text=_("组织概述: what the enterprise makes, its customers, people and main challenges."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelfAssessmentStatus.choices,
        default=SelfAssessmentStatus.DRAFT,
        editable=False,
    )
    total = models.DecimalField(
        _("total score"), max_digits=6, decimal_places=1, null=True, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    comments = models.TextField(
        _("the bureau's comments"), blank=True, editable=False, help_text=_("Why it was last returned.")
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    str_related = ("enterprise",)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "framework", "year"], name="self_assessment_once")
        ]
        indexes = [
            models.Index(fields=["status", "accepted_on"], name="self_assessment_accepted_idx"),
            models.Index(fields=["region", "status"], name="self_assessment_region_idx"),
        ]

    def __str__(self) -> str:
        return str(
            _("%(enterprise)s's %(year)s self-assessment")
            % {"enterprise": self.enterprise, "year": self.year}
        )

    def attachments_open(self) -> bool:
        return self.status in OPEN_STATES

    def attachment_sections(self) -> list[tuple[str, str]]:
        """A file is evidence for one item (or for the self-assessment as a whole)."""
        items = Item.objects.filter(category__framework_id=self.framework_id).order_by(
            "category__order", "order"
        )
        return [(i.code, f"{i.code} {i.name}") for i in items]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def clean(self) -> None:
        if self.year and self.year > datetime.date.today().year:
            raise ValidationError({"year": _("A self-assessment is of a year that has begun.")})


class SelfAssessmentItem(ScopedModel):
    """The enterprise's own account of one item: its narrative and the percentage it gives itself."""

    assessment = models.ForeignKey(
        SelfAssessment, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(
        _("narrative"),
        blank=True,
        help_text=_("What the enterprise does and achieves on this item, with the evidence it can show."),
    )
    percent = models.PositiveSmallIntegerField(
        _("percentage"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("self-assessed item")
        verbose_name_plural = _("self-assessed items")
        ordering = ["assessment_id", "item__category__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="self_item_once")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.item.name}"

    @property
    def points(self) -> Decimal | None:
        """The item's points times the percentage, to 0.1."""
        if self.percent is None:
            return None
        return (Decimal(self.item.points) * self.percent / 100).quantize(Decimal("0.1"))
