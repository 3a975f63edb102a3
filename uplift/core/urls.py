from django.urls import path
from django.utils.translation import gettext_lazy

from . import services
from .filtersets import AttachmentFilterSet, AuditEntryFilterSet, ExportRunFilterSet
from .forms import ReasonForm
from .models import Attachment, AuditEntry, ExportRun, attachment_parents
from .tables import AttachmentTable, AuditEntryTable, ExportRunTable
from .views import (
    Action,
    AttachmentDownloadView,
    ExportDownloadView,
    ExportProgressView,
    MyWorkView,
    ObjectViews,
)

app_name = "core"

audit_views = ObjectViews(
    model=AuditEntry,
    table=AuditEntryTable,
    filterset=AuditEntryFilterSet,
    select_related=("actor",),
    detail_fields=[
        "at",
        "actor",
        "actor_name",
        "address",
        "action",
        "object_type",
        "object_id",
        "object_repr",
    ],
    detail_template="core/auditentry_detail.html",
)

attachment_views = ObjectViews(
    model=Attachment,
    table=AttachmentTable,
    filterset=AttachmentFilterSet,
    select_related=("content_type", "uploaded_by"),
    prefetch_related=(attachment_parents(),),
    detail_fields=[
        "name",
        "kind",
        "description",
        "content_type",
        "object_id",
        "media_type",
        "size",
        "sha256",
        "uploaded_by",
        "created_at",
        "removed_at",
        "removed_by",
        "removal_reason",
    ],
    detail_template="core/attachment_detail.html",
    actions=[
        Action(
            "remove",
            gettext_lazy("Remove"),
            services.attachment_remove,
            "attachment",
            form=ReasonForm,
            danger=True,
            irreversible=True,
            when=lambda obj, user: obj.removed_at is None,
            redirect=lambda obj, result: f"{obj.parent.get_absolute_url()}#attachments",
            help=gettext_lazy(
                "The file stays readable, marked as removed, to those who see its record; it no "
                "longer counts as evidence."
            ),
        )
    ],
)


def export_extra(run: ExportRun, user: object) -> dict:
    from .exports import progress_of

    return {"progress": progress_of(run) if run.status == "running" else None}


export_views = ObjectViews(
    model=ExportRun,
    table=ExportRunTable,
    filterset=ExportRunFilterSet,
    empty_help=gettext_lazy(
        'A list\'s "Export to Excel" button writes a long list here in the background; only you can '
        "download what you export."
    ),
    detail_fields=[
        "title",
        "query",
        "status",
        "expected",
        "rows",
        "size",
        "seconds",
        "created_at",
        "finished_at",
    ],
    detail_template="core/exportrun_detail.html",
    detail_extra=export_extra,
)

urlpatterns = [
    path("work/", MyWorkView.as_view(), name="my_work"),
    *audit_views.urls("audit/entries"),
    *attachment_views.urls("files"),
    path("files/<int:pk>/download/", AttachmentDownloadView.as_view(), name="attachment_download"),
    *export_views.urls("exports"),
    path("exports/<int:pk>/download/", ExportDownloadView.as_view(), name="exportrun_download"),
    path("exports/<int:pk>/progress/", ExportProgressView.as_view(), name="exportrun_progress"),
]
