from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "uplift.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .tables import cache_signatures

        cache_signatures()
