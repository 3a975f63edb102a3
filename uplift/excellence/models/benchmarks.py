"""Quality benchmark enterprises (品质标杆企业): selected by a programme's rules, approved by the
bureau with a reason, published."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import RegionOfEnterprise, ScopedModel

from ..choices import BenchmarkStatus
from .frameworks import Framework


class BenchmarkRule(ScopedModel):
    """The rules an enterprise must meet to be named a quality benchmark in a programme.

    The candidate list shows, for every enterprise with a completed expert assessment, which rule
    it meets and which it misses, with the record behind each. A programme without a rule of its
    own uses the defaults below. An empty number switches that rule off.
    """

    programme = models.OneToOneField(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="benchmark_rule",
    )
    min_score = models.PositiveSmallIntegerField(
        _("lowest consensus total"),
        null=True,
        blank=True,
        default=550,
        help_text=_("Of the enterprise's latest completed expert assessment."),
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The framework the expert assessment follows; empty: any."),
    )
    clean_months = models.PositiveSmallIntegerField(
        _("months without a failed batch"),
        null=True,
        blank=True,
        default=12,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "No sampling inspection of the enterprise failed in this many months before the decision."
        ),
    )
    no_open_severe_problem = models.BooleanField(
        _("no open severe problem"),
        default=True,
        help_text=_("No severe quality problem of the enterprise is still open or awaiting verification."),
    )
    min_adopted_months = models.PositiveSmallIntegerField(
        _("months since adopting the model"),
        null=True,
        blank=True,
        default=12,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "It adopted the excellence model (by the programme's adoption rule) at least this long before."
        ),
    )

    class Meta:
        verbose_name = _("benchmark rule")
        verbose_name_plural = _("benchmark rules")
        ordering = ["programme_id"]

    def __str__(self) -> str:
        return str(_("Benchmark rules of %(programme)s") % {"programme": self.programme})


class Benchmark(RegionOfEnterprise, ScopedModel):
    """The bureau's decision to name an enterprise a quality benchmark of a programme.

    Approved on a day with a reason; an enterprise that misses a rule can still be approved, but
    only with an override reason, and the rules it missed are kept with the decision. A decision
    may later be revoked (with a reason): it then no longer counts, nor appears on the public list.
    """

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="benchmarks",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="benchmarks",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
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
        related_name="benchmarks",
        help_text=_("The cluster it is a benchmark of, if any (the public list groups by it)."),
    )
    assessment = models.ForeignKey(
        "excellence.ExpertAssessment",
        verbose_name=_("expert assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_on = models.DateField(_("approved on"), editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    missed = models.JSONField(
        _("rules missed"), default=list, blank=True, editable=False, help_text=_("Approved despite these.")
    )
    override_reason = models.TextField(_("override reason"), blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BenchmarkStatus.choices,
        default=BenchmarkStatus.APPROVED,
        editable=False,
    )
    revoked_reason = models.TextField(_("reason for revoking"), blank=True, editable=False)

    str_related = ("enterprise",)

    class Meta:
        verbose_name = _("benchmark enterprise")
        verbose_name_plural = _("benchmark enterprises")
        ordering = ["-approved_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "enterprise"], name="benchmark_once")]
        indexes = [
            models.Index(fields=["programme", "status", "approved_on"], name="benchmark_programme_idx")
        ]

    def __str__(self) -> str:
        return str(
            _("%(enterprise)s, benchmark of %(programme)s")
            % {"enterprise": self.enterprise, "programme": self.programme}
        )
