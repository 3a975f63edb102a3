"""Quality problems found at enterprises and their corrective actions (品质问题与整改, CAPA)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel

from ..choices import ProblemCategory, ProblemStatus, Severity


class Problem(HasAttachments, RegionOfEnterprise, ScopedModel):
    """A quality problem found at an enterprise, followed until its correction is verified.

    open → corrected (the enterprise's action is recorded) → closed once the institution, or the
    bureau, has verified the correction: only then does it count as *solved*. A failed
    verification sends it back to open. ``region`` is the enterprise's, copied onto the row.
    """

    str_related = ("enterprise",)

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="problems"
    )
    project = models.ForeignKey(
        "delivery.ServiceProject",
        verbose_name=_("service project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    activity = models.ForeignKey(
        "delivery.Activity",
        verbose_name=_("found in activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        help_text=_("The survey or diagnosis in which the problem was found."),
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="problems"
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    category = models.CharField(_("category"), max_length=14, choices=ProblemCategory.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MAJOR)
    found_on = models.DateField(_("found on"))
    description = models.TextField(_("description"))
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=60, blank=True)
    deadline = models.DateField(_("deadline"), help_text=_("When the correction is due."))
    status = models.CharField(
        _("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    corrected_on = models.DateField(_("corrected on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_note = models.TextField(_("verification"), blank=True, editable=False)

    class Meta:
        verbose_name = _("quality problem")
        verbose_name_plural = _("quality problems")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["programme", "status"], name="problem_counted_idx"),
            models.Index(fields=["region"], name="problem_region_idx"),
            models.Index(fields=["cluster", "status"], name="problem_cluster_idx"),
            models.Index(fields=["status", "deadline"], name="problem_overdue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_category_display()}: {self.description[:40]}"

    @property
    def is_overdue(self) -> bool:
        """Not closed, and its deadline has passed."""
        return self.status != ProblemStatus.CLOSED and self.deadline < timezone.localdate()

    def attachments_open(self) -> bool:
        """Photos of the fix, the corrected label: until the problem is closed by verification."""
        return self.status != ProblemStatus.CLOSED

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.found_on).days if self.closed_on else None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = datetime.date.today()
        if self.found_on and self.found_on > today:
            errors["found_on"] = _("A problem is recorded once found; this date is in the future.")
        if self.found_on and self.deadline and self.deadline < self.found_on:
            errors["deadline"] = _("The deadline cannot come before the day the problem was found.")
        activity = self.activity if self.activity_id else None
        if activity is not None:
            if self.project_id and activity.project_id != self.project_id:
                errors["activity"] = _("This activity belongs to another project.")
            elif self.found_on and self.found_on < activity.held_on:
                errors["found_on"] = _("The problem cannot be found before the activity (%(day)s).") % {
                    "day": activity.held_on
                }
        if errors:
            raise ValidationError(errors)
