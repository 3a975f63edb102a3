"""Standards (标准): the registry, the standard work projects do, and enterprise-standard evaluations."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel
from uplift.registry.validators import normalise_standard_number, validate_standard_number

from ..choices import EvaluationConclusion, StandardLevel, StandardStatus, StandardWorkKind

#: The date field each status needs: a published standard has its publication date, and so on.
STATUS_DATES = {
    StandardStatus.APPROVED: "approved_on",
    StandardStatus.PUBLISHED: "published_on",
    StandardStatus.WITHDRAWN: "withdrawn_on",
}


class Standard(ScopedModel):
    """A standard in the registry: national (GB, GB/T), local (DB42/T), group (T/) or enterprise (Q/).

    The number is checked against its level's numbering (and, for a local standard, the region
    code it carries). A standard still being drafted may have no number yet; from approval on it
    must have one. Standards are public: every signed-in user reads the registry.
    """

    number = models.CharField(
        _("number"),
        max_length=60,
        blank=True,
        help_text=_("Like GB/T 19580-2012, DB42/T 1234-2019, T/ABC 001-2019 or Q/ABC 001-2019."),
    )
    level = models.CharField(_("level"), max_length=14, choices=StandardLevel.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=14, choices=StandardStatus.choices, default=StandardStatus.DRAFTING
    )
    issued_by = models.CharField(
        _("issued by"), max_length=200, blank=True, help_text=_("The body that issues the standard.")
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["level", "number", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="standard_number_once"
            )
        ]

    #: The standards registered under the numbers being checked, by number, when whoever checks
    #: many at once (an import) has read them for all of them; None: :meth:`clean` asks the
    #: database for this standard's twin.
    known_numbers: dict[str, Standard] | None = None
    #: The registry's region codes, likewise, for a local standard's code (None: asked).
    known_regions: set[str] | None = None

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def twin(self) -> Standard | None:
        """Another standard registered under this number: looked up in ``known_numbers`` when an
        import has read them for its whole batch (no query per row), else one query."""
        if self.known_numbers is None:
            return Standard.objects.filter(number=self.number).exclude(pk=self.pk).first()
        found = self.known_numbers.get(self.number)
        return found if found is not None and found.pk != self.pk else None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.number = normalise_standard_number(self.number)
        if self.number:
            try:
                validate_standard_number(self.number, self.level or None, regions=self.known_regions)
            except ValidationError as e:
                errors["number"] = e.messages[0]
            else:
                twin = self.twin()
                if twin is not None:
                    errors["number"] = _("%(number)s is already in the registry: %(title)s.") % {
                        "number": self.number,
                        "title": twin.title,
                    }
        elif self.status not in (StandardStatus.DRAFTING, StandardStatus.CONSULTATION):
            errors["number"] = _("An approved standard has a number.")
        needed = STATUS_DATES.get(self.status)
        if needed and not getattr(self, needed):
            errors[needed] = _("Give the date: the standard is %(status)s.") % {
                "status": self.get_status_display()
            }
        today = datetime.date.today()
        for name in ("approved_on", "published_on", "withdrawn_on"):
            value = getattr(self, name)
            if value and value > today:
                errors.setdefault(name, _("This date is in the future."))
        if self.approved_on and self.published_on and self.published_on < self.approved_on:
            errors.setdefault("published_on", _("A standard is published after it is approved."))
        if errors:
            raise ValidationError(errors)


class StandardWork(ScopedModel):
    """A standard drafted or revised in a service project (标准制修订), or by the bureau itself.

    It counts towards "local standards drafted or revised" once its standard is approved.
    """

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="standard_works",
    )
    project = models.ForeignKey(
        "delivery.ServiceProject",
        verbose_name=_("service project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standard_works",
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="works"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StandardWorkKind.choices)
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standard_works",
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standard_works",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("standard work")
        verbose_name_plural = _("standard work")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "standard"], name="standard_work_once_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.standard}"

    def clean(self) -> None:
        if self.started_on and self.started_on > datetime.date.today():
            raise ValidationError({"started_on": _("This date is in the future.")})


class EvaluationReport(HasAttachments, RegionOfEnterprise, ScopedModel):
    """An enterprise-standard evaluation report (企业标准评价报告) issued to one enterprise.

    ``region`` is the enterprise's, copied onto the row.
    """

    str_related = ("enterprise",)

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="evaluation_reports",
    )
    project = models.ForeignKey(
        "delivery.ServiceProject",
        verbose_name=_("service project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_reports",
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_reports",
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_reports",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="evaluation_reports",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard evaluated"),
        on_delete=models.PROTECT,
        related_name="evaluation_reports",
    )
    report_number = models.CharField(_("report number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    conclusion = models.CharField(_("conclusion"), max_length=10, choices=EvaluationConclusion.choices)
    summary = models.TextField(_("summary"), blank=True)
    evaluator = models.CharField(_("evaluated by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("evaluation report")
        verbose_name_plural = _("evaluation reports")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "report_number"], name="evaluation_report_number_once"
            )
        ]
        indexes = [models.Index(fields=["region"], name="evaluation_region_idx")]

    def __str__(self) -> str:
        return f"{self.report_number} · {self.enterprise}"

    def clean(self) -> None:
        if self.issued_on and self.issued_on > datetime.date.today():
            raise ValidationError({"issued_on": _("A report cannot be issued in the future.")})
