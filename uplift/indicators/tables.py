import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable, NumberColumn

from .models import EconomicIndicator


class IndicatorTable(BaseTable):
    subject = tables.Column(
        verbose_name=_("Of"), linkify=lambda record: record.get_absolute_url(), accessor="pk", orderable=False
    )
    value = NumberColumn()
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit_label", orderable=False)

    class Meta(BaseTable.Meta):
        model = EconomicIndicator
        fields = ("subject", "kind", "year", "value", "unit", "source")

    def render_subject(self, record):
        return record.subject

    def value_subject(self, record):
        return str(record.subject)
