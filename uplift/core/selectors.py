"""Reads of the audit trail that other parts of the system show."""

from __future__ import annotations

from django.db import models

from .models import AuditEntry


def history_of(obj: models.Model, *, limit: int = 20):
    """The latest audit entries about one record, for its detail page.

    Callers have already established that the reader may see ``obj``; its own history goes with it.
    """
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor"
    )[:limit]
