from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "uplift.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from uplift.core.views import ObjectListView

        from . import kinds

        kinds.autodiscover()
        ObjectListView.import_links.append(kinds.import_url)
