"""Generic write helpers that domain services build on.

A domain service (``enterprise_create``, ``tender_publish``...) is the only place a record is
written. The plain create/update cases share one shape — validate with ``full_clean()``, save,
set many-to-many values, write the audit entry, all in one transaction — which lives here so each
domain service states only what is particular to it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from . import audit

M = TypeVar("M", bound=models.Model)


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
    """Apply ``data`` to ``instance`` after full validation, and audit the change."""
    before = audit.snapshot(instance)
    plain, m2m = _split_m2m(type(instance), data)
    for name, value in plain.items():
        setattr(instance, name, value)
    instance.full_clean()
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
