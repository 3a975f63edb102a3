"""The audit trail: every service call records what it changed.

Services call :func:`record` inside their transaction. The acting user is passed explicitly; the
client address comes from the request being served (set by
:class:`uplift.core.middleware.RequestContextMiddleware`), or is empty for commands.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from contextvars import ContextVar
from typing import Any

from django.db import models

from .models import AuditEntry

current_address: ContextVar[str | None] = ContextVar("current_address", default=None)


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """The concrete field values of ``obj`` (foreign keys as their ids), for before/after."""
    if obj is None:
        return None
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"created_at", "updated_at"}:
            continue
        data[field.attname] = _plain(getattr(obj, field.attname))
    if obj.pk:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(
                _plain(v) for v in getattr(obj, field.name).values_list("pk", flat=True)
            )
    return data


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Write one audit entry; call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)
    return AuditEntry.objects.create(
        actor=user,
        actor_name=getattr(user, "username", "") or "system",
        address=current_address.get(),
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=object_repr[:255],
        before=before,
        after=after,
    )
