import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable, NumberColumn

from .models import (
    AdoptionRule,
    Benchmark,
    BenchmarkRule,
    ExpertAssessment,
    ExpertReview,
    Framework,
    SelfAssessment,
)


class FrameworkTable(BaseTable):
    code = tables.Column(linkify=True)
    total_points = NumberColumn()

    class Meta(BaseTable.Meta):
        model = Framework
        fields = ("code", "name", "name_en", "total_points")


class SelfAssessmentTable(BaseTable):
    enterprise = tables.Column(linkify=lambda record: record.get_absolute_url())
    total = NumberColumn()

    class Meta(BaseTable.Meta):
        model = SelfAssessment
        fields = ("enterprise", "year", "framework", "status", "total", "submitted_at", "accepted_on")


class AdoptionRuleTable(BaseTable):
    programme = tables.Column(linkify=lambda record: record.get_absolute_url())
    training_method = tables.Column(verbose_name=_("Training required"))

    class Meta(BaseTable.Meta):
        model = AdoptionRule
        fields = ("programme", "training_method", "self_assessment_required", "framework", "min_self_score")


class ExpertAssessmentTable(BaseTable):
    enterprise = tables.Column(linkify=lambda record: record.get_absolute_url())
    total = NumberColumn()

    class Meta(BaseTable.Meta):
        model = ExpertAssessment
        fields = ("enterprise", "year", "framework", "status", "visited_on", "total", "completed_on")


class ExpertReviewTable(BaseTable):
    assessment = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = ExpertReview
        fields = ("assessment", "expert", "status", "submitted_at")


class BenchmarkRuleTable(BaseTable):
    programme = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = BenchmarkRule
        fields = ("programme", "min_score", "clean_months", "no_open_severe_problem", "min_adopted_months")


class BenchmarkTable(BaseTable):
    enterprise = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = Benchmark
        fields = ("enterprise", "programme", "cluster", "approved_on", "status", "reason")
