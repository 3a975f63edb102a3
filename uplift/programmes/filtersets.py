from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter

from .models import PilotProject, Programme, Target


def visible_programmes(request):
    if request is None:
        return Programme.objects.none()
    return Programme.objects.visible_to(request.user)


class ProgrammeFilterSet(BaseFilterSet):
    search_fields = ("name", "slug")
    region = RegionFilter(field_name="region_id")

    class Meta:
        model = Programme
        fields = ["region"]


class TargetFilterSet(BaseFilterSet):
    search_fields = ("metric",)
    programme = django_filters.ModelChoiceFilter(
        queryset=visible_programmes, to_field_name="slug", label=_("Programme")
    )
    region = RegionFilter(field_name="region_id")

    class Meta:
        model = Target
        fields = ["programme", "metric", "region"]


class PilotProjectFilterSet(BaseFilterSet):
    search_fields = ("cluster__name", "institution__name")
    programme = django_filters.ModelChoiceFilter(
        queryset=visible_programmes, to_field_name="slug", label=_("Programme")
    )
    region = RegionFilter(field_name="cluster__region_id")
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))

    class Meta:
        model = PilotProject
        fields = ["programme", "region", "cluster"]
