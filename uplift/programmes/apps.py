from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "uplift.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from . import (
            metrics,  # noqa: F401  (registers the metrics)
            rollups,
        )

        rollups.connect()
