import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter

from .choices import IndicatorKind
from .models import EconomicIndicator


class IndicatorFilterSet(BaseFilterSet):
    search_fields = ("source", "enterprise__name", "cluster__name", "region__name")
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("Indicator"))
    region = RegionFilter(field_name="region_id")
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    year = IntegerFilter(label=_("Year"))

    class Meta:
        model = EconomicIndicator
        fields = ["kind", "region", "cluster", "enterprise", "year"]
