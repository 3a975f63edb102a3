"""Economic indicators (经济指标): what a firm, a cluster or a region produced in a year."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import RegionOfEnterprise, ScopedModel

from .choices import UNITS, IndicatorKind


class EconomicIndicator(RegionOfEnterprise, ScopedModel):
    """One yearly figure — output value, sales revenue, employees, registered enterprises, brand
    value — of an enterprise, a cluster, or (with neither) a region, with its source.

    Growth is never stored: year on year and compound annual growth are computed from these rows
    (:mod:`uplift.indicators.selectors`) and shown with the rows they come from. ``region`` is the
    enterprise's or the cluster's, copied onto the row, or the region measured.
    """

    kind = models.CharField(_("indicator"), max_length=30, choices=IndicatorKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1978)])
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a region's own figure; an enterprise's or a cluster's region is taken from it."),
    )
    value = models.DecimalField(
        _("value"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    source = models.CharField(
        _("source"), max_length=200, help_text=_("Where the figure comes from: 统计年鉴, 企业年报, ...")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("economic indicator")
        verbose_name_plural = _("economic indicators")
        ordering = ["kind", "region_id", "cluster_id", "enterprise_id", "year"]
        indexes = [
            models.Index(fields=["cluster", "kind", "year"], name="indicator_cluster_idx"),
            models.Index(fields=["region", "kind", "year"], name="indicator_region_idx"),
        ]

    #: The figures recorded, by series and year (:meth:`series_year`), when whoever checks many
    #: figures at once (an import) has read them for all of them; None: :meth:`clean` asks the
    #: database for this figure's.
    known_figures: dict[tuple, list[EconomicIndicator]] | None = None

    def __str__(self) -> str:
        return f"{self.subject} · {self.year} · {self.get_kind_display()}"

    @property
    def subject(self):
        return self.enterprise or self.cluster or self.region

    @property
    def unit(self) -> str:
        return UNITS[self.kind][0]

    @property
    def unit_label(self):
        return UNITS[self.kind][1]

    def region_source(self):
        """The enterprise's or the cluster's region; a region's own figure keeps its region."""
        return self.enterprise if self.enterprise_id else (self.cluster if self.cluster_id else None)

    def same_series(self):
        """The rows of the same indicator of the same subject (other years)."""
        return EconomicIndicator.objects.filter(
            kind=self.kind,
            enterprise_id=self.enterprise_id,
            cluster_id=self.cluster_id,
            region_id=self.region_id,
        )

    def series_year(self) -> tuple:
        """The figure's series (:meth:`same_series`) and year: two figures with the same clash."""
        return (self.kind, self.enterprise_id, self.cluster_id, self.region_id, self.year)

    def clash(self) -> EconomicIndicator | None:
        """Another figure of the same series and year, if one is recorded: looked up in
        ``known_figures`` when an import has read them for its whole batch (no query per row),
        else one query."""
        if self.known_figures is None:
            return self.same_series().filter(year=self.year).exclude(pk=self.pk).first()
        return next((f for f in self.known_figures.get(self.series_year(), ()) if f.pk != self.pk), None)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.enterprise_id and self.cluster_id:
            errors["cluster"] = _("A figure is of an enterprise or of a cluster, not both.")
        if self.year and self.year > datetime.date.today().year:
            errors["year"] = _(
                "A yearly figure is recorded once the year has begun; this year is in the future."
            )
        if self.kind and self.year and self.region_id and not errors:
            clash = self.clash()
            if clash is not None:
                errors["year"] = _(
                    "%(subject)s already has its %(year)s %(kind)s (%(value)s); correct that one."
                ) % {
                    "subject": self.subject,
                    "year": self.year,
                    "kind": self.get_kind_display(),
                    "value": clash.value,
                }
        if errors:
            raise ValidationError(errors)
