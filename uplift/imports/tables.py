import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable

from .models import ImportRun


class ImportRunTable(BaseTable):
    file_name = tables.Column(linkify=True)
    kind = tables.Column(verbose_name=_("Kind"), accessor="kind_label", orderable=False)
    created_by = tables.Column(verbose_name=_("Imported by"))

    class Meta(BaseTable.Meta):
        model = ImportRun
        fields = (
            "created_at",
            "file_name",
            "kind",
            "status",
            "rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "created_by",
        )
