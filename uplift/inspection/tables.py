import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable

from .models import SamplingInspection


class InspectionTable(BaseTable):
    batch_id = tables.Column(linkify=True)
    enterprise = tables.Column(linkify=lambda record: record.enterprise.get_absolute_url())
    region = tables.Column(verbose_name=_("Region"))

    class Meta(BaseTable.Meta):
        model = SamplingInspection
        fields = (
            "batch_id",
            "sampled_on",
            "enterprise",
            "region",
            "cluster",
            "product",
            "product_category",
            "level",
            "result",
            "inspecting_body",
        )
