import django_tables2 as tables

from uplift.core.tables import BaseTable

from .models import GradeRecord, ServiceProject


class ServiceProjectTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ServiceProject
        fields = ("title", "pilot", "institution", "status", "start_date", "end_date")


class GradeRecordTable(BaseTable):
    project_title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = GradeRecord
        fields = ("institution", "project_title", "grade", "accepted_on", "source")
