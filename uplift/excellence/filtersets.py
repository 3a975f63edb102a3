import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter

from .choices import BenchmarkStatus, ExpertAssessmentStatus, ReviewStatus, SelfAssessmentStatus
from .models import (
    AdoptionRule,
    Benchmark,
    BenchmarkRule,
    ExpertAssessment,
    ExpertReview,
    Framework,
    SelfAssessment,
)


class FrameworkFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "name_en")

    class Meta:
        model = Framework
        fields: list[str] = []


class SelfAssessmentFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code")
    status = django_filters.ChoiceFilter(choices=SelfAssessmentStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="region_id")
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    framework = IntegerFilter(field_name="framework_id", label=_("Framework"))
    year = IntegerFilter(label=_("Year"))

    class Meta:
        model = SelfAssessment
        fields = ["status", "region", "enterprise", "framework", "year"]


class AdoptionRuleFilterSet(BaseFilterSet):
    search_fields = ("programme__name", "programme__slug")

    class Meta:
        model = AdoptionRule
        fields: list[str] = []


class ExpertAssessmentFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code")
    status = django_filters.ChoiceFilter(choices=ExpertAssessmentStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="region_id")
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    year = IntegerFilter(label=_("Year"))

    class Meta:
        model = ExpertAssessment
        fields = ["status", "region", "enterprise", "year"]


class ExpertReviewFilterSet(BaseFilterSet):
    search_fields = ("assessment__enterprise__name", "expert__name")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))
    assessment = IntegerFilter(field_name="assessment_id", label=_("Expert assessment"))

    class Meta:
        model = ExpertReview
        fields = ["status", "assessment"]


class BenchmarkRuleFilterSet(BaseFilterSet):
    search_fields = ("programme__name", "programme__slug")

    class Meta:
        model = BenchmarkRule
        fields: list[str] = []


class BenchmarkFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code", "reason")
    status = django_filters.ChoiceFilter(choices=BenchmarkStatus.choices, label=_("Status"))
    programme = django_filters.CharFilter(field_name="programme__slug", label=_("Programme"))
    region = RegionFilter(field_name="region_id")
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    year = IntegerFilter(field_name="approved_on__year", label=_("Year"))

    class Meta:
        model = Benchmark
        fields = ["status", "programme", "region", "cluster", "year"]
