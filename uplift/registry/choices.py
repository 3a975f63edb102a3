from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("Section")
    DIVISION = "division", _("Division")


class SizeClass(models.TextChoices):
    """Enterprise size classes (大/中/小/微) as the statistics bureau classifies them."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")
