"""Enumerations of product sampling inspections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionLevel(models.TextChoices):
    """Who ordered the spot check (国家/省/市级监督抽查)."""

    NATIONAL = "national", _("National spot check")
    PROVINCIAL = "provincial", _("Provincial spot check")
    CITY = "city", _("City spot check")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
