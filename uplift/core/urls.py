from .filtersets import AuditEntryFilterSet
from .models import AuditEntry
from .tables import AuditEntryTable
from .views import ObjectViews

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

urlpatterns = [*audit_views.urls("entries")]
