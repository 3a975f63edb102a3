import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, RegionFilter
from uplift.programmes.filtersets import visible_programmes

from .choices import Grade, ProjectStatus
from .models import GradeRecord, ServiceProject


class ServiceProjectFilterSet(BaseFilterSet):
    search_fields = ("title", "institution__name", "pilot__cluster__name")
    programme = django_filters.ModelChoiceFilter(
        field_name="pilot__programme", queryset=visible_programmes, to_field_name="slug", label=_("Programme")
    )
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="pilot__cluster__region_id")
    institution = django_filters.NumberFilter(field_name="institution_id", label=_("Institution"))

    class Meta:
        model = ServiceProject
        fields = ["programme", "status", "region", "institution"]


class GradeRecordFilterSet(BaseFilterSet):
    search_fields = ("institution__name", "project_title", "source")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    institution = django_filters.NumberFilter(field_name="institution_id", label=_("Institution"))
    since = django_filters.DateFilter(field_name="accepted_on", lookup_expr="gte", label=_("From"))

    class Meta:
        model = GradeRecord
        fields = ["grade", "institution"]
