"""Economic benefits (经济效益) claimed for enterprises or clusters, counted once verified."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel

from ..choices import BenefitKind, BenefitStatus


class Benefit(HasAttachments, RegionOfEnterprise, ScopedModel):
    """A claimed economic benefit: a loss avoided, a cost saved, revenue gained.

    For one enterprise, or for a whole cluster when it cannot be split per firm. The institution
    states the amount, how it was calculated and the evidence; a bureau officer other than the
    one who submitted it verifies it (or rejects it with a reason). Only verified claims count.
    ``region`` is the enterprise's, or the cluster's for a cluster-wide claim.
    """

    str_related = ("enterprise", "cluster")

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="benefits"
    )
    project = models.ForeignKey(
        "delivery.ServiceProject",
        verbose_name=_("service project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefits",
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefits",
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefits",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefits",
        help_text=_("Leave empty for a benefit of the whole cluster."),
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BenefitKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    year = models.PositiveSmallIntegerField(_("year"), help_text=_("The year the benefit was realised."))
    calculation = models.TextField(_("calculation method"), help_text=_("How the amount was worked out."))
    evidence = models.TextField(_("evidence"), help_text=_("The documents that support the amount."))
    status = models.CharField(
        _("status"), max_length=10, choices=BenefitStatus.choices, default=BenefitStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_note = models.TextField(_("verifier's note"), blank=True, editable=False)

    class Meta:
        verbose_name = _("economic benefit")
        verbose_name_plural = _("economic benefits")
        ordering = ["-year", "-amount", "-pk"]
        indexes = [
            models.Index(fields=["programme", "status"], name="benefit_counted_idx"),
            models.Index(fields=["region"], name="benefit_region_idx"),
        ]

    def __str__(self) -> str:
        who = self.enterprise or self.cluster
        return f"{who} · {self.get_kind_display()} ¥{self.amount:,.0f}"

    @property
    def is_editable(self) -> bool:
        return self.status in (BenefitStatus.DRAFT, BenefitStatus.REJECTED)

    def attachments_open(self) -> bool:
        """The evidence of a claim is verified with it: it changes only while the claim may."""
        return self.is_editable

    def region_source(self):
        """The enterprise's region, or the cluster's for a cluster-wide claim."""
        return super().region_source() or (self.cluster if self.cluster_id else None)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.enterprise_id and not self.cluster_id:
            errors["enterprise"] = _("Say which enterprise the benefit is for, or choose the cluster.")
        if self.year and not 2000 <= self.year <= datetime.date.today().year:
            errors["year"] = _("The year must be between 2000 and this year.")
        if errors:
            raise ValidationError(errors)
