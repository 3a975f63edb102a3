"""Product sampling inspections (产品质量监督抽查): the evidence behind every pass rate."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel

from .choices import InspectionLevel, InspectionResult


class SamplingInspection(HasAttachments, RegionOfEnterprise, ScopedModel):
    """One batch of a product sampled at an enterprise and its result.

    A pass rate is never stored: it is counted from these rows (passed batches / sampled batches)
    by region, cluster, industry, enterprise and period, with its interval
    (:mod:`uplift.inspection.rates`). The batch id is the natural key (an import of the same
    report twice adds nothing). ``region`` and ``industry`` are the enterprise's, copied onto the
    row so figures slice by indexed codes; ``cluster`` is the industrial cluster the product
    belongs to, one the enterprise is a member of.
    """

    str_related = ("enterprise",)

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        help_text=_("The industrial cluster the product belongs to (the enterprise must be a member)."),
    )
    product = models.CharField(_("product"), max_length=100)
    product_category = models.CharField(
        _("product category"), max_length=100, help_text=_("As in the spot-check plan, e.g. 儿童自行车.")
    )
    batch_id = models.CharField(
        _("batch id"),
        max_length=60,
        unique=True,
        help_text=_("The sample's number in the inspection report."),
    )
    sampled_on = models.DateField(_("sampled on"))
    inspecting_body = models.CharField(_("inspecting body"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=InspectionLevel.choices)
    result = models.CharField(_("result"), max_length=4, choices=InspectionResult.choices)
    failed_items = models.TextField(
        _("failed items"),
        blank=True,
        help_text=_("The test items failed, one per line (for a failed batch)."),
    )
    report_number = models.CharField(_("report number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("sampling inspection")
        verbose_name_plural = _("sampling inspections")
        ordering = ["-sampled_on", "-pk"]
        indexes = [
            # The list's order: its first page is the newest fifty batches, read from this index
            # backwards instead of sorting two million (3.2 s → ms at national scale).
            models.Index(fields=["sampled_on", "id"], name="inspection_recent_idx"),
            models.Index(fields=["cluster", "sampled_on"], name="inspection_cluster_idx"),
            models.Index(fields=["region", "sampled_on"], name="inspection_region_idx"),
            models.Index(fields=["enterprise", "sampled_on"], name="inspection_enterprise_idx"),
        ]

    #: The cluster memberships, as (enterprise id, cluster id), of every enterprise of the
    #: batches being checked, when whoever checks many at once (an import) has read them for all
    #: of them; None: :meth:`clean` asks the database for this batch's enterprise.
    known_memberships: set[tuple[int, int]] | None = None

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.enterprise} · {self.product}"

    @property
    def passed(self) -> bool:
        return self.result == InspectionResult.PASS

    def _copy_region(self) -> None:
        super()._copy_region()
        if self.enterprise_id:
            self.industry_id = self.enterprise.industry_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.sampled_on and self.sampled_on > datetime.date.today():
            errors["sampled_on"] = _("A batch is recorded once sampled; this date is in the future.")
        failed_items = (self.failed_items or "").strip()
        if self.result == InspectionResult.FAIL and not failed_items:
            errors["failed_items"] = _("Name the test items the batch failed.")
        if self.result == InspectionResult.PASS and failed_items:
            errors["failed_items"] = _(
                "A batch that passed has no failed items; clear them or record a fail."
            )
        if self.cluster_id and self.enterprise_id and not self.enterprise_in_cluster():
            errors["cluster"] = _("%(enterprise)s is not a member of %(cluster)s.") % {
                "enterprise": self.enterprise,
                "cluster": self.cluster,
            }
        if errors:
            raise ValidationError(errors)

    def enterprise_in_cluster(self) -> bool:
        """Whether the enterprise is a member of the cluster: looked up in ``known_memberships``
        when an import has read them for its whole batch (no query per row), else one query."""
        if self.known_memberships is not None:
            return (self.enterprise_id, self.cluster_id) in self.known_memberships
        return self.enterprise.cluster_memberships.filter(cluster_id=self.cluster_id).exists()
