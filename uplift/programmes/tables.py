import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from uplift.core.money import yuan
from uplift.core.tables import BaseTable, MoneyColumn, NumberColumn

from .models import PilotProject, Programme, Target


class ProgrammeTable(BaseTable):
    name = tables.Column(linkify=True)
    budget = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Programme
        fields = ("name", "slug", "region", "start_date", "end_date", "budget")


class TargetTable(BaseTable):
    metric = tables.Column(linkify=True)
    value = NumberColumn()

    class Meta(BaseTable.Meta):
        model = Target
        fields = ("programme", "metric", "region", "value", "deadline", "parent")

    def render_value(self, value, record):
        # A target in yuan (the verified benefit, say) reads as money; the export keeps the number.
        from .metrics import METRICS

        metric = METRICS.get(record.metric)
        if metric is not None and metric.unit == "yuan":
            return yuan(value)
        return number_format(value, force_grouping=True)

    def render_metric(self, value):
        from .metrics import METRICS

        return METRICS[value].label if value in METRICS else value

    def value_metric(self, value):
        return value


class PilotProjectTable(BaseTable):
    cluster = tables.Column(linkify=lambda record: record.get_absolute_url())
    region = tables.Column(
        accessor="cluster__region", verbose_name=_("Region"), order_by="cluster__region_id"
    )

    class Meta(BaseTable.Meta):
        model = PilotProject
        fields = ("cluster", "region", "programme", "institution", "started_on")
