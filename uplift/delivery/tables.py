import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable

from .models import Activity, GradeRecord, Participation, ProjectKpi, ServiceProject


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
