from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExcellenceConfig(AppConfig):
    name = "uplift.excellence"
    label = "excellence"
    verbose_name = _("Excellence model")
