"""Pages of delivery: service projects (created by signed contracts) and acceptance grades."""

from uplift.core.views import ObjectViews

from . import filtersets, forms, services, tables
from .models import GradeRecord, ServiceProject

project_views = ObjectViews(
    model=ServiceProject,
    table=tables.ServiceProjectTable,
    filterset=filtersets.ServiceProjectFilterSet,
    select_related=("pilot__cluster", "pilot__programme", "institution"),
    detail_fields=["title", "contract", "pilot", "institution", "status", "start_date", "end_date"],
)
grade_views = ObjectViews(
    model=GradeRecord,
    table=tables.GradeRecordTable,
    filterset=filtersets.GradeRecordFilterSet,
    form=forms.GradeRecordForm,
    services=services,
    service_prefix="grade_record",
    select_related=("institution", "programme"),
    detail_fields=["institution", "project_title", "programme", "grade", "accepted_on", "source"],
)
