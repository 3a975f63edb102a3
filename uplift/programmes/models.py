"""A quality-improvement programme: its period, budget, targets and pilot clusters."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

SCORE = [MinValueValidator(0), MaxValueValidator(100)]


class Programme(ScopedModel):
    """A programme run by a bureau for its region, e.g. Hubei's 2018 "万千百" programme."""

    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Letters, digits and hyphens; used in addresses and the figures command."),
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("owning region"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=16, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    description = models.TextField(_("description"), blank=True)
    # The lowest acceptance total (out of 100) of each grade; below the last, a project fails.
    excellent_from = models.DecimalField(
        _("Excellent from"), max_digits=4, decimal_places=1, default=Decimal(90), validators=SCORE
    )
    good_from = models.DecimalField(
        _("Good from"), max_digits=4, decimal_places=1, default=Decimal(75), validators=SCORE
    )
    pass_from = models.DecimalField(
        _("Fair (passed) from"), max_digits=4, decimal_places=1, default=Decimal(60), validators=SCORE
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-start_date", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})
        bands = [self.excellent_from, self.good_from, self.pass_from]
        if None not in bands and not bands[0] > bands[1] > bands[2]:
            raise ValidationError(
                {"good_from": _("The grade thresholds must fall: Excellent above Good above Fair.")}
            )

    def grade_bands(self) -> list[tuple[Decimal, str]]:
        """The lowest total of each acceptance grade, best first (a fail below the last)."""
        return [(self.excellent_from, "excellent"), (self.good_from, "good"), (self.pass_from, "fair")]


class Target(ScopedModel):
    """A goal of a programme: a metric's value to reach in a region by a deadline.

    A province's target can be split among its cities: each share is a Target at the city with
    ``parent`` pointing to the provincial one.
    """

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="targets"
    )
    metric = models.CharField(
        _("metric"),
        max_length=60,
        validators=[RegexValidator(r"^[a-z_]+$", _("Choose one of the programme's metrics."))],
    )
    value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shares",
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["programme_id", "metric", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "metric", "region"], name="target_unique_per_region")
        ]

    def __str__(self) -> str:
        from .metrics import METRICS

        label = METRICS[self.metric].label if self.metric in METRICS else self.metric
        return f"{label} · {self.region.name}: {self.value:g}"

    def clean(self) -> None:
        from uplift.accounts.access import region_prefix

        from .metrics import METRICS

        errors: dict[str, str] = {}
        if self.metric and self.metric not in METRICS:
            errors["metric"] = _("Unknown metric %(name)s.") % {"name": self.metric}
        if (
            self.programme_id
            and self.region_id
            and not self.region_id.startswith(region_prefix(self.programme.region_id))
        ):
            errors["region"] = _("The region is outside the programme's region.")
        if self.parent_id:
            if self.parent.metric != self.metric or self.parent.programme_id != self.programme_id:
                errors["parent"] = _(
                    "A share must be of the same programme and metric as the target it splits."
                )
            elif self.region_id and (
                self.region_id == self.parent.region_id
                or not self.region_id.startswith(region_prefix(self.parent.region_id))
            ):
                errors["region"] = _(
                    "A share must be for a region inside the region of the target it splits."
                )
        if errors:
            raise ValidationError(errors)


class PilotProject(ScopedModel):
    """An industrial cluster chosen as a pilot (试点工程) of a programme; one tender lot.

    ``institution`` is the service institution that delivers it (set by the award once the
    procurement capability lands).
    """

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="pilots"
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="pilots",
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pilots",
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    goals = models.TextField(_("goals"), blank=True)

    class Meta:
        verbose_name = _("pilot project")
        verbose_name_plural = _("pilot projects")
        ordering = ["programme_id", "cluster__region_id"]
        constraints = [models.UniqueConstraint(fields=["programme", "cluster"], name="pilot_unique_cluster")]

    def __str__(self) -> str:
        return f"{self.cluster} · {self.programme}"

    def clean(self) -> None:
        from uplift.accounts.access import region_prefix

        if (
            self.programme_id
            and self.cluster_id
            and not self.cluster.region_id.startswith(region_prefix(self.programme.region_id))
        ):
            raise ValidationError({"cluster": _("The cluster is outside the programme's region.")})


class Rollup(models.Model):
    """A monthly summary of one metric: what the records of ``month`` add to the figure for a
    region (every level: province, prefecture, county) and a cluster (0: all clusters).

    Derived data, never edited: the write that changes a record updates the rows of the slices it
    touches in its own transaction (:mod:`uplift.programmes.rollups`), and ``uplift rollups
    rebuild`` recomputes them from the records. A figure is the sum of its rows over the months;
    a distinct count adds each enterprise (standard, tender…) in the first month it counts, so
    sums over months stay distinct counts.
    """

    # No single-column indexes: the two below lead with the programme, and a region (reference
    # data) is deleted too rarely to be worth an index every rebuild maintains (a third of the
    # time of writing the batch metrics' 118,000 rows at national scale).
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+", db_index=False)
    metric = models.CharField(max_length=40)
    month = models.DateField(help_text="The first day of the month.")
    region = models.ForeignKey("registry.Region", on_delete=models.CASCADE, related_name="+", db_index=False)
    cluster_id = models.PositiveIntegerField(default=0, help_text="0: all clusters.")
    value = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "metric", "region", "cluster_id", "month"], name="rollup_unique_slice"
            )
        ]
        # What the dashboard reads (a scope's rows), covering on PostgreSQL: an index-only scan,
        # 36 → 25 ms for the province dashboard's queries at national scale (bench/RESULTS.md).
        indexes = [
            models.Index(
                fields=["programme", "cluster_id", "region"],
                include=["metric", "month", "value"],
                name="rollup_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.month:%Y-%m} {self.region_id}/{self.cluster_id}: {self.value}"


class RollupFact(models.Model):
    """What one counted unit (an enterprise, a standard, a tender…) brings to a metric: one row
    per region and cluster it counts in, with the first month it counts there and its value. For a
    metric that adds its records up, one row per cell (``unit`` is the month written 201806) with
    the cell's total.

    The ledger :mod:`uplift.programmes.rollups` compares a unit's fresh facts with, so a write
    changes the rollups by exactly the difference, however often it is applied.
    """

    # Neither an index of its own (the unique constraint leads with the programme) nor a database
    # constraint (its check cost 7.5 s of the 16.8 s a rebuild spent writing 2M facts); deleting a
    # programme still deletes its facts, through the ORM's cascade.
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    metric = models.CharField(max_length=40)
    unit = models.BigIntegerField()
    region_id = models.CharField(max_length=6)
    cluster_id = models.PositiveIntegerField(default=0, help_text="0: no cluster.")
    month = models.DateField()
    value = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "metric", "unit", "region_id", "cluster_id"], name="rollup_fact_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.metric} #{self.unit} {self.region_id}/{self.cluster_id} {self.month:%Y-%m}: {self.value}"
        )
