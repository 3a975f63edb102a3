"""Filters of the inspection list and the pass-rate pages (shared by pages and the API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter
from uplift.registry.filtersets import counted_in

from . import selectors
from .choices import InspectionLevel, InspectionResult
from .models import SamplingInspection


class InspectionFilterSet(BaseFilterSet):
    search_fields = ("batch_id", "product", "product_category", "enterprise__name", "enterprise__credit_code")
    sampled_in = counted_in(selectors.programme_batches, _("Sampled in programme's region"))
    passed_in = counted_in(selectors.programme_passed_batches, _("Passed in programme's region"))
    region = RegionFilter(field_name="region_id", label=_("Enterprise's region code"))
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    industry = django_filters.CharFilter(field_name="industry_id", label=_("Industry code"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    product_category = django_filters.CharFilter(label=_("Product category"))
    level = django_filters.ChoiceFilter(choices=InspectionLevel.choices, label=_("Level"))
    result = django_filters.ChoiceFilter(choices=InspectionResult.choices, label=_("Result"))
    since = django_filters.DateFilter(field_name="sampled_on", lookup_expr="gte", label=_("Sampled from"))
    until = django_filters.DateFilter(field_name="sampled_on", lookup_expr="lte", label=_("Sampled until"))

    class Meta:
        model = SamplingInspection
        fields = ["region", "cluster", "industry", "enterprise", "product_category", "level", "result"]
