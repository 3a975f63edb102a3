import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable, MoneyColumn

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


class ServiceProjectTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ServiceProject
        fields = ("title", "pilot", "institution", "status", "start_date", "end_date")


class ProjectKpiTable(BaseTable):
    kind = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ProjectKpi
        fields = ("project", "kind", "target", "note")


class ActivityTable(BaseTable):
    topic = tables.Column(linkify=True)
    enterprises = tables.Column(verbose_name=_("Enterprises"), accessor="participation_count", orderable=True)

    class Meta(BaseTable.Meta):
        model = Activity
        fields = ("held_on", "kind", "topic", "cluster", "institution", "place", "enterprises", "status")


class ParticipationTable(BaseTable):
    enterprise = tables.Column(linkify=True)
    activity = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Participation
        fields = ("enterprise", "activity", "managers", "region", "note")


class GradeRecordTable(BaseTable):
    project_title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = GradeRecord
        fields = ("institution", "project_title", "grade", "accepted_on", "source")


class ProblemTable(BaseTable):
    description = tables.Column(linkify=True)
    overdue = tables.BooleanColumn(verbose_name=_("Overdue"), accessor="is_overdue", orderable=False)

    class Meta(BaseTable.Meta):
        model = Problem
        fields = (
            "found_on",
            "enterprise",
            "category",
            "severity",
            "description",
            "deadline",
            "status",
            "closed_on",
            "overdue",
        )

    def render_description(self, value):
        return value if len(value) <= 40 else value[:40] + "…"


class StandardTable(BaseTable):
    number = tables.Column(linkify=True)
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Standard
        fields = ("number", "title", "level", "status", "cluster", "published_on")


class StandardWorkTable(BaseTable):
    standard = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = StandardWork
        fields = ("standard", "kind", "project", "cluster", "started_on")


class EvaluationReportTable(BaseTable):
    report_number = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = EvaluationReport
        fields = ("report_number", "enterprise", "standard", "issued_on", "conclusion", "evaluator")


class BenefitTable(BaseTable):
    amount = MoneyColumn(linkify=True)

    class Meta(BaseTable.Meta):
        model = Benefit
        fields = ("year", "enterprise", "cluster", "kind", "amount", "status", "verified_at")


class AcceptanceCriterionTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = AcceptanceCriterion
        fields = ("programme", "order", "name", "points", "basis")


class AcceptanceTable(BaseTable):
    project = tables.Column(linkify=lambda record: record.get_absolute_url())
    institution = tables.Column(verbose_name=_("Service institution"), accessor="project__institution")

    class Meta(BaseTable.Meta):
        model = Acceptance
        fields = ("project", "institution", "held_on", "status", "total", "grade", "bulletin_number")


class AcceptanceReviewTable(BaseTable):
    acceptance = tables.Column(
        verbose_name=_("Service project"), linkify=lambda record: record.get_absolute_url()
    )
    institution = tables.Column(
        verbose_name=_("Service institution"), accessor="acceptance__project__institution"
    )

    class Meta(BaseTable.Meta):
        model = AcceptanceReview
        fields = ("acceptance", "institution", "expert", "status", "submitted_at")

    def render_acceptance(self, record):
        return record.acceptance.project

    def value_acceptance(self, record):
        return str(record.acceptance.project)
