"""Enumerations of the import pipeline."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    CHECKED = "checked", _("Checked (dry run)")
    REJECTED = "rejected", _("Rejected, nothing written")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Unreadable file")
    REVERTED = "reverted", _("Reverted")
