"""Service projects (the delivery of a contract), their KPIs, and institutions' acceptance grades."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

from ..choices import Grade, KpiKind, ProjectStatus


class ServiceProject(ScopedModel):
    """The delivery of one contract (服务项目): an institution's one-to-one service to a pilot cluster."""

    contract = models.OneToOneField(
        "procurement.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project",
    )
    pilot = models.ForeignKey(
        "programmes.PilotProject",
        verbose_name=_("pilot project"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # The service plan (服务方案) the institution commits to.
    goals = models.TextField(_("goals"), blank=True)
    enterprises_targeted = models.TextField(
        _("enterprises targeted"),
        blank=True,
        help_text=_("Which enterprises of the cluster the service reaches, and how they are chosen."),
    )
    schedule = models.TextField(_("schedule"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(
        _("submitted for acceptance at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["-start_date", "title"]

    def __str__(self) -> str:
        return self.title


class ProjectKpi(ScopedModel):
    """A project's key performance indicator (项目指标): what it promised, against what its records show.

    Only the target is stored; the actual value is counted from the project's approved records by
    :func:`uplift.delivery.selectors.kpi_actuals`, so it can never drift from them.
    """

    project = models.ForeignKey(
        ServiceProject, verbose_name=_("service project"), on_delete=models.CASCADE, related_name="kpis"
    )
    kind = models.CharField(_("indicator"), max_length=20, choices=KpiKind.choices)
    target = models.DecimalField(
        _("target value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("project KPI")
        verbose_name_plural = _("project KPIs")
        ordering = ["project_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="kpi_once_per_project")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"


class GradeRecord(ScopedModel):
    """An acceptance grade an institution earned for a project (优秀/良好/一般/不合格).

    Grades from before the system, or from other programmes, are entered here by officers; the
    acceptance of a project in the system will write one too. The tender bonus reads the latest.
    """

    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        on_delete=models.PROTECT,
        related_name="grades",
    )
    project_title = models.CharField(_("project"), max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    accepted_on = models.DateField(_("accepted on"))
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the grade was published, e.g. the bulletin's number."),
    )

    class Meta:
        verbose_name = _("acceptance grade")
        verbose_name_plural = _("acceptance grades")
        ordering = ["-accepted_on", "institution_id"]
        indexes = [models.Index(fields=["institution", "-accepted_on"], name="grade_latest_idx")]

    def __str__(self) -> str:
        return f"{self.institution} · {self.project_title}: {self.get_grade_display()}"

    def clean(self) -> None:
        import datetime

        if self.accepted_on and self.accepted_on > datetime.date.today():
            raise ValidationError({"accepted_on": _("An acceptance grade cannot be dated in the future.")})
