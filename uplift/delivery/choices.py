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


class ActivityKind(models.TextChoices):
    """The kinds of quality-improvement activity the programme counts (品质提升活动)."""

    SURVEY = "survey", _("Survey")
    TRAINING = "training", _("Training")
    DIAGNOSIS = "diagnosis", _("Quality diagnosis")
    STANDARD = "standard", _("Standard drafting or revision")
    LECTURE = "lecture", _("Technical lecture")
    EXCHANGE = "exchange", _("On-site exchange")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    """An activity counts only once approved; the institution enters it, the bureau approves it."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class KpiKind(models.TextChoices):
    """What a project's key performance indicator measures; the actual value is counted from records."""

    ACTIVITIES = "activities", _("Approved activities")
    ENTERPRISES = "enterprises", _("Enterprises taking part")
    MANAGERS = "managers", _("Quality-manager participations")
    TRAINED_ADVANCED = "trained_advanced", _("Enterprises trained in advanced quality methods")
