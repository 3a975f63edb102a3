"""Filters of delivery's lists, shared by pages and the API.

``counted_in=<programme slug>`` selects exactly the records a programme figure counts; with the
list's own ``region`` and ``cluster`` filters it is the same slice as the figure.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, RegionFilter
from uplift.programmes.filtersets import visible_programmes
from uplift.registry.filtersets import ProgrammeSlugFilter

from . import selectors
from .choices import ActivityKind, ActivityStatus, Grade, KpiKind, ProjectStatus
from .models import Activity, GradeRecord, Participation, ProjectKpi, ServiceProject


def _programme(field_name: str):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=visible_programmes, to_field_name="slug", label=_("Programme")
    )


def _counted_in(selector):
    def method(qs, name, programme):
        if programme is None:
            return qs
        return qs.filter(pk__in=selector(programme).values("pk"))

    return ProgrammeSlugFilter(
        queryset=visible_programmes, to_field_name="slug", method=method, label=_("Counted in programme")
    )


class ServiceProjectFilterSet(BaseFilterSet):
    search_fields = ("title", "institution__name", "pilot__cluster__name")
    programme = _programme("pilot__programme")
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="pilot__cluster__region_id")
    institution = django_filters.NumberFilter(field_name="institution_id", label=_("Institution"))

    class Meta:
        model = ServiceProject
        fields = ["programme", "status", "region", "institution"]


class ProjectKpiFilterSet(BaseFilterSet):
    search_fields = ("project__title", "note")
    project = django_filters.NumberFilter(field_name="project_id", label=_("Service project"))
    kind = django_filters.ChoiceFilter(choices=KpiKind.choices, label=_("Indicator"))

    class Meta:
        model = ProjectKpi
        fields = ["project", "kind"]


class ActivityFilterSet(BaseFilterSet):
    search_fields = ("topic", "place", "external_id", "project__title")
    programme = _programme("programme")
    counted_in = _counted_in(selectors.counted_activities)
    project = django_filters.NumberFilter(field_name="project_id", label=_("Service project"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    region = RegionFilter(field_name="region_id")
    cluster = django_filters.NumberFilter(field_name="cluster_id", label=_("Cluster"))
    institution = django_filters.NumberFilter(field_name="institution_id", label=_("Institution"))
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("Held on or after")
    )
    held_before = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("Held on or before")
    )

    class Meta:
        model = Activity
        fields = ["programme", "status", "kind", "region", "cluster"]


class ParticipationFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code", "activity__topic")
    counted_in = _counted_in(selectors.counted_participations)
    activity = django_filters.NumberFilter(field_name="activity_id", label=_("Activity"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("Enterprise"))
    status = django_filters.ChoiceFilter(
        field_name="activity__status", choices=ActivityStatus.choices, label=_("Activity status")
    )
    region = RegionFilter(field_name="region_id", label=_("Enterprise's region code"))
    cluster = django_filters.NumberFilter(field_name="activity__cluster_id", label=_("Cluster"))

    class Meta:
        model = Participation
        fields = ["activity", "enterprise", "status", "region", "cluster"]


class GradeRecordFilterSet(BaseFilterSet):
    search_fields = ("institution__name", "project_title", "source")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    institution = django_filters.NumberFilter(field_name="institution_id", label=_("Institution"))
    since = django_filters.DateFilter(field_name="accepted_on", lookup_expr="gte", label=_("From"))

    class Meta:
        model = GradeRecord
        fields = ["grade", "institution"]
