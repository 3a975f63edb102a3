"""Filters of delivery's lists, shared by pages and the API.

``counted_in=<programme slug>`` selects exactly the records a programme figure counts; with the
list's own ``region`` and ``cluster`` filters it is the same slice as the figure.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter
from uplift.programmes.filtersets import visible_programmes
from uplift.registry.filtersets import counted_in

from . import selectors
from .choices import (
    AcceptanceStatus,
    ActivityKind,
    ActivityStatus,
    BenefitKind,
    BenefitStatus,
    EvaluationConclusion,
    Grade,
    KpiKind,
    ProblemCategory,
    ProblemStatus,
    ProjectStatus,
    ReviewStatus,
    Severity,
    StandardLevel,
    StandardStatus,
    StandardWorkKind,
)
from .models import (
    Acceptance,
    AcceptanceCriterion,
    AcceptanceReview,
    Activity,
    Benefit,
    EvaluationReport,
    GradeRecord,
    Participation,
    Problem,
    ProjectKpi,
    ServiceProject,
    Standard,
    StandardWork,
)


def _programme(field_name: str):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=visible_programmes, to_field_name="slug", label=_("Programme")
    )


COUNTED_IN = _("Counted in programme")


def _counted_in(selector, label=COUNTED_IN):
    return counted_in(selector, label)


def _mine(qs, value, rule, request):
    """A yes/no "awaiting my …" filter: yes, the rows ``rule(qs, user)`` leaves to the signed-in
    user; no, the others; unset, all."""
    if value is None:
        return qs
    mine = rule(qs, getattr(request, "user", None))
    return mine if value else qs.exclude(pk__in=mine.values("pk"))


class ServiceProjectFilterSet(BaseFilterSet):
    search_fields = ("title", "institution__name", "pilot__cluster__name")
    programme = _programme("pilot__programme")
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="pilot__cluster__region_id")
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))
    acceptance_opened = django_filters.BooleanFilter(
        field_name="acceptance", lookup_expr="isnull", exclude=True, label=_("Acceptance opened")
    )

    class Meta:
        model = ServiceProject
        fields = ["programme", "status", "region", "institution"]


class ProjectKpiFilterSet(BaseFilterSet):
    search_fields = ("project__title", "note")
    project = IntegerFilter(field_name="project_id", label=_("Service project"))
    kind = django_filters.ChoiceFilter(choices=KpiKind.choices, label=_("Indicator"))

    class Meta:
        model = ProjectKpi
        fields = ["project", "kind"]


class ActivityFilterSet(BaseFilterSet):
    search_fields = ("topic", "place", "external_id", "project__title")
    programme = _programme("programme")
    counted_in = _counted_in(selectors.counted_activities)
    project = IntegerFilter(field_name="project_id", label=_("Service project"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    region = RegionFilter(field_name="region_id")
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("Held on or after")
    )
    held_before = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("Held on or before")
    )
    awaiting_my_approval = django_filters.BooleanFilter(
        method="filter_awaiting_my_approval", label=_("Awaiting my approval")
    )

    class Meta:
        model = Activity
        fields = ["programme", "status", "kind", "region", "cluster"]

    def filter_awaiting_my_approval(self, qs, name, value):
        """Yes: the submitted activities the signed-in user may approve (not those they submitted
        themselves); No: the others."""
        return _mine(qs, value, selectors.approvable_by, self.request)


class ParticipationFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code", "activity__topic")
    counted_in = _counted_in(selectors.counted_participations)
    activity = IntegerFilter(field_name="activity_id", label=_("Activity"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    status = django_filters.ChoiceFilter(
        field_name="activity__status", choices=ActivityStatus.choices, label=_("Activity status")
    )
    region = RegionFilter(field_name="region_id", label=_("Enterprise's region code"))
    cluster = IntegerFilter(field_name="activity__cluster_id", label=_("Cluster"))

    class Meta:
        model = Participation
        fields = ["activity", "enterprise", "status", "region", "cluster"]


class GradeRecordFilterSet(BaseFilterSet):
    search_fields = ("institution__name", "project_title", "source")
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))
    since = django_filters.DateFilter(field_name="accepted_on", lookup_expr="gte", label=_("From"))

    class Meta:
        model = GradeRecord
        fields = ["grade", "institution"]


class ProblemFilterSet(BaseFilterSet):
    search_fields = ("description", "enterprise__name", "enterprise__credit_code", "responsible_person")
    found_in = _counted_in(selectors.found_problems)
    solved_in = _counted_in(selectors.solved_problems)
    programme = _programme("programme")
    project = IntegerFilter(field_name="project_id", label=_("Service project"))
    activity = IntegerFilter(field_name="activity_id", label=_("Activity"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    status = django_filters.ChoiceFilter(choices=ProblemStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=ProblemCategory.choices, label=_("Category"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    region = RegionFilter(field_name="region_id", label=_("Enterprise's region code"))
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))

    class Meta:
        model = Problem
        fields = ["programme", "status", "category", "severity", "region", "cluster"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = selectors.overdue(qs)
        return late if value else qs.exclude(pk__in=late.values("pk"))


class StandardFilterSet(BaseFilterSet):
    search_fields = ("number", "title", "issued_by")
    level = django_filters.ChoiceFilter(choices=StandardLevel.choices, label=_("Level"))
    status = django_filters.ChoiceFilter(choices=StandardStatus.choices, label=_("Status"))
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster served"))

    class Meta:
        model = Standard
        fields = ["level", "status", "cluster"]


class StandardWorkFilterSet(BaseFilterSet):
    search_fields = ("standard__number", "standard__title", "note")
    counted_in = _counted_in(selectors.local_standard_works, _("Local standards counted in programme"))
    drafted_in = _counted_in(selectors.standard_works, _("Standards counted in programme"))
    programme = _programme("programme")
    project = IntegerFilter(field_name="project_id", label=_("Service project"))
    kind = django_filters.ChoiceFilter(choices=StandardWorkKind.choices, label=_("Kind"))
    level = django_filters.ChoiceFilter(
        field_name="standard__level", choices=StandardLevel.choices, label=_("Level")
    )
    region = RegionFilter(field_name="region_id")
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))

    class Meta:
        model = StandardWork
        fields = ["programme", "kind", "level", "region", "cluster"]


class EvaluationReportFilterSet(BaseFilterSet):
    search_fields = ("report_number", "enterprise__name", "enterprise__credit_code", "standard__number")
    counted_in = _counted_in(selectors.counted_evaluation_reports)
    programme = _programme("programme")
    project = IntegerFilter(field_name="project_id", label=_("Service project"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    conclusion = django_filters.ChoiceFilter(choices=EvaluationConclusion.choices, label=_("Conclusion"))
    region = RegionFilter(field_name="region_id", label=_("Enterprise's region code"))
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))

    class Meta:
        model = EvaluationReport
        fields = ["programme", "conclusion", "region", "cluster"]


class BenefitFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code", "calculation", "evidence")
    counted_in = _counted_in(selectors.verified_benefits)
    programme = _programme("programme")
    project = IntegerFilter(field_name="project_id", label=_("Service project"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    kind = django_filters.ChoiceFilter(choices=BenefitKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=BenefitStatus.choices, label=_("Status"))
    year = IntegerFilter(field_name="year", label=_("Year"))
    region = RegionFilter(field_name="region_id")
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    awaiting_my_verification = django_filters.BooleanFilter(
        method="filter_awaiting_my_verification", label=_("Awaiting my verification")
    )

    class Meta:
        model = Benefit
        fields = ["programme", "status", "kind", "year", "region", "cluster"]

    def filter_awaiting_my_verification(self, qs, name, value):
        """Yes: the submitted claims the signed-in user may verify (not those they submitted
        themselves); No: the others."""
        return _mine(qs, value, selectors.verifiable_by, self.request)


class AcceptanceCriterionFilterSet(BaseFilterSet):
    search_fields = ("name", "guidance")
    programme = _programme("programme")

    class Meta:
        model = AcceptanceCriterion
        fields = ["programme"]


class AcceptanceFilterSet(BaseFilterSet):
    search_fields = ("project__title", "project__institution__name", "bulletin_number", "panel")
    programme = _programme("project__pilot__programme")
    status = django_filters.ChoiceFilter(choices=AcceptanceStatus.choices, label=_("Status"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    institution = IntegerFilter(field_name="project__institution_id", label=_("Institution"))
    region = RegionFilter(field_name="project__pilot__cluster__region_id")

    class Meta:
        model = Acceptance
        fields = ["programme", "status", "grade", "institution", "region"]


class AcceptanceReviewFilterSet(BaseFilterSet):
    search_fields = ("acceptance__project__title", "acceptance__project__institution__name", "expert__name")
    programme = _programme("acceptance__project__pilot__programme")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))
    acceptance = IntegerFilter(field_name="acceptance_id", label=_("Acceptance"))
    expert = IntegerFilter(field_name="expert_id", label=_("Expert"))

    class Meta:
        model = AcceptanceReview
        fields = ["programme", "status", "acceptance", "expert"]
