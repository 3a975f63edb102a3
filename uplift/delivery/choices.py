from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The acceptance grades the bureau publishes (验收等次)."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    FAIL = "fail", _("Fail")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    FAILED = "failed", _("Failed")
