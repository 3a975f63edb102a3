"""Quality-improvement activities (品质提升活动) and the enterprises taking part in them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel

from ..choices import ActivityKind, ActivityStatus, ProjectStatus


class QualityMethod(ScopedModel):
    """A quality method a training can cover (卓越绩效, 六西格玛, QC小组...): reference data.

    ``advanced`` marks the advanced methods whose trainees the programme counts as "enterprises
    trained in advanced quality methods".
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    advanced = models.BooleanField(_("advanced method"), default=True)

    class Meta:
        verbose_name = _("quality method")
        verbose_name_plural = _("quality methods")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Activity(HasAttachments, ScopedModel):
    """One quality-improvement activity: a survey, training, diagnosis, standard work, lecture or
    on-site exchange, delivered in a service project or by the bureau or a service station.

    It counts towards the programme only once a bureau officer has approved it; its place
    (``region``) and ``cluster`` are kept on the row so figures are sliced without joins.
    """

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    project = models.ForeignKey(
        "delivery.ServiceProject",
        verbose_name=_("service project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text=_("Leave empty for an activity the bureau or a service station runs itself."),
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    station = models.ForeignKey(
        "registry.ServiceStation",
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    delivered_by = models.CharField(
        _("delivered by"), max_length=200, blank=True, help_text=_("The people or team who ran it.")
    )
    methods = models.ManyToManyField(
        QualityMethod,
        verbose_name=_("quality methods covered"),
        blank=True,
        related_name="activities",
    )
    external_id = models.CharField(
        _("external id"),
        max_length=60,
        blank=True,
        help_text=_("The activity's number in the institution's own records; re-imports match on it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
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
    return_reason = models.TextField(_("reason returned"), blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["programme", "status", "held_on"], name="activity_counted_idx"),
            models.Index(fields=["region"], name="activity_region_idx"),
            models.Index(fields=["cluster", "status"], name="activity_cluster_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "external_id"],
                condition=~models.Q(external_id=""),
                name="activity_external_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}: {self.topic}"

    #: a sign-in sheet names other firms' people: enterprises see the activity, not its files
    attachments_for_enterprises = False

    def attachments_open(self) -> bool:
        """Evidence goes with the activity when it is submitted and is judged with it."""
        return self.is_editable

    @property
    def is_editable(self) -> bool:
        """Its content may change only before submission or after being returned, and while its
        project (if it has one) is in progress."""
        if self.status not in (ActivityStatus.DRAFT, ActivityStatus.RETURNED):
            return False
        return self.project_id is None or self.project.status == ProjectStatus.IN_PROGRESS

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.held_on and self.held_on > datetime.date.today():
            errors["held_on"] = _(
                "An activity is recorded once it has taken place; this date is in the future."
            )
        project = self.project if self.project_id else None
        if project is not None and self.held_on:
            start, end = project.start_date, project.end_date
            if (start and self.held_on < start) or (end and self.held_on > end):
                errors["held_on"] = _(
                    "The date must fall within the project's period, %(start)s to %(end)s."
                ) % {"start": start or "…", "end": end or "…"}
        if project is None and self.programme_id and self.held_on:
            programme = self.programme
            if not programme.start_date <= self.held_on <= programme.end_date:
                errors["held_on"] = _(
                    "The date must fall within the programme's period, %(start)s to %(end)s."
                ) % {"start": programme.start_date, "end": programme.end_date}
        if errors:
            raise ValidationError(errors)


class Participation(RegionOfEnterprise, ScopedModel):
    """An enterprise taking part in an activity (参与), with its headcount of quality managers.

    ``region`` is the enterprise's, copied onto the row (fact tables carry their enterprise's
    region code, so scoping and figures never walk the region tree).
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participations"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    managers = models.PositiveIntegerField(
        _("quality managers"),
        default=1,
        help_text=_("How many of the enterprise's quality managers took part."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["activity_id", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "enterprise"], name="participation_once_per_activity")
        ]
        indexes = [
            models.Index(fields=["enterprise", "activity"], name="participation_enterprise_idx"),
            models.Index(fields=["region"], name="participation_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.activity.topic}"
