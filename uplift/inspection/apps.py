from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "uplift.inspection"
    label = "inspection"
    verbose_name = _("Inspection")
