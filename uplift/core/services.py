"""Generic write helpers that domain services build on.

A domain service (``enterprise_create``, ``tender_publish``...) is the only place a record is
written. The plain create/update cases share one shape — validate with ``full_clean()``, save,
set many-to-many values, write the audit entry, all in one transaction — which lives here so each
domain service states only what is particular to it.
"""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit

M = TypeVar("M", bound=models.Model)


class ConflictError(ValidationError):
    """A save based on a version of the record that someone else has since changed.

    ``current`` is the record as it is stored now, so the page or API can show both versions.
    """

    def __init__(self, current: models.Model) -> None:
        self.current = current
        super().__init__(
            _(
                "Someone else changed this record after you opened it (it is now at version "
                "%(version)s). Your changes were not saved: compare them with the saved values "
                "below and save again to keep yours."
            )
            % {"version": current.version},
            code="conflict",
        )


def bump_version(instance: models.Model, expected: int) -> None:
    """Move ``instance`` from version ``expected`` to the next, or raise ConflictError.

    One conditional UPDATE: of two writers based on the same version, exactly one matches the
    row; the other is told. Call it inside the write's transaction, before saving.
    """
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected).update(version=F("version") + 1)
    if not updated:
        raise ConflictError(model._default_manager.get(pk=instance.pk))
    instance.version = expected + 1


def _split_m2m(model: type[models.Model], data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    m2m_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return plain, m2m


def action_name(model: type[models.Model], verb: str) -> str:
    """The audit action of a service: ``registry.enterprise.create``."""
    return f"{model._meta.label_lower}.{verb}"


@transaction.atomic
def create_object(model: type[M], *, actor: Any, data: dict[str, Any], verb: str = "create") -> M:
    """Create one ``model`` from ``data`` after full validation, and audit it."""
    data = {k: v for k, v in data.items() if k != "version"}  # a new record starts at version 1
    plain, m2m = _split_m2m(model, data)
    obj = model(**plain)
    obj.full_clean()
    obj.save()
    for name, values in m2m.items():
        getattr(obj, name).set(values)
    audit.record(actor=actor, action=action_name(model, verb), obj=obj, after=audit.snapshot(obj))
    return obj


@transaction.atomic
def update_object(instance: M, *, actor: Any, data: dict[str, Any], verb: str = "update") -> M:
    """Apply ``data`` to ``instance`` after full validation, and audit the change.

    ``data["version"]``, when given, is the version the change was based on (a form's hidden
    field, an API client's copy); otherwise the version ``instance`` was read at. Either way a
    record changed since then is not overwritten: ConflictError.
    """
    data = dict(data)
    expected = data.pop("version", None) or getattr(instance, "version", None)
    before = audit.snapshot(instance)
    plain, m2m = _split_m2m(type(instance), data)
    for name, value in plain.items():
        setattr(instance, name, value)
    instance.full_clean()
    if expected is not None:
        bump_version(instance, expected)
    instance.save()
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    audit.record(
        actor=actor,
        action=action_name(type(instance), verb),
        obj=instance,
        before=before,
        after=audit.snapshot(instance),
    )
    return instance


# --- Workflow steps ------------------------------------------------------------------------------
# A workflow service (publish a tender, approve an activity) locks its row, checks the state and the
# clock under the lock, changes a few fields and audits the step under its own verb.


def now_or(at: datetime.datetime | None) -> datetime.datetime:
    """The moment a step happens: ``at`` when a caller (the demo, a test) replays a timeline."""
    return at or timezone.now()


def locked(obj: M) -> M:
    """``obj`` read again under a row lock, so two concurrent steps on it run one after the other."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def save_step(obj: models.Model, *, actor: Any, verb: str, before: dict[str, Any] | None) -> None:
    """Validate, save with the next version and audit one workflow step."""
    obj.full_clean()
    if hasattr(obj, "version") and obj.pk:
        obj.version += 1
    obj.save()
    audit.record(
        actor=actor, action=action_name(type(obj), verb), obj=obj, before=before, after=audit.snapshot(obj)
    )
