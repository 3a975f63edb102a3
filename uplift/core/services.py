"""Generic write helpers that domain services build on.

A domain service (``enterprise_create``, ``tender_publish``...) is the only place a record is
written. The plain create/update cases share one shape — validate with ``full_clean()``, save,
set many-to-many values, write the audit entry, all in one transaction — which lives here so each
domain service states only what is particular to it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
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


# --- Evidence files ------------------------------------------------------------------------------


def attachments_closed_reason(actor: Any, parent: models.Model) -> str | None:
    """Why ``actor`` may not add or remove files on ``parent`` now, or None if they may.

    They must be allowed to change the record (its model permission, and seeing it) and the
    record must still take evidence (:meth:`~uplift.core.models.HasAttachments.attachments_open`);
    the system (``actor=None``: imports of past records, the demo) files evidence in any state.
    """
    from uplift.accounts.access import is_visible

    from .models import HasAttachments

    if not isinstance(parent, HasAttachments):
        return _("%(type)s records do not take attachments.") % {"type": parent._meta.verbose_name}
    if is_system(actor):
        return None  # the system (an import of past records, the demo) files evidence in any state
    meta = parent._meta
    if not actor.has_perm(f"{meta.app_label}.change_{meta.model_name}") or not is_visible(parent, actor):
        return _("You may not change %(name)s, so you cannot attach files to it.") % {"name": parent}
    if not parent.attachments_open():
        return _("%(name)s can no longer change, nor can its files.") % {"name": parent}
    return None


#: At most this many files (not removed) per record: evidence, not a file server.
MAX_ATTACHMENTS_PER_RECORD = 100


@audit.refusals_recorded("core.attachment.create")
@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    parent: models.Model,
    file: Any,
    kind: str,
    description: str = "",
    name: str = "",
    section: str = "",
) -> Any:
    """Attach an evidence file to ``parent`` after checking its real type and its size.

    ``file`` is an uploaded file (or any binary file object: give ``name`` then). The bytes are
    stored once under their SHA-256; the record keeps the sender's file name for display.
    """
    from django.contrib.contenttypes.models import ContentType

    from . import uploads
    from .models import Attachment

    reason = attachments_closed_reason(actor, parent)
    if reason:
        raise ValidationError(reason, code="closed")
    section = (section or "").strip()
    if section and section not in dict(parent.attachment_sections()):
        raise ValidationError(
            {"section": _("%(section)s is not a part of %(name)s.") % {"section": section, "name": parent}}
        )
    name = uploads.clean_name(name or getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    try:
        found = uploads.check(file, name, size)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    content_type = ContentType.objects.get_for_model(parent)
    active = Attachment.objects.filter(
        content_type=content_type, object_id=parent.pk, removed_at__isnull=True
    ).count()
    if active >= MAX_ATTACHMENTS_PER_RECORD:
        raise ValidationError(
            {
                "file": _("%(name)s already has %(n)s files; remove some before adding more.")
                % {"name": parent, "n": active}
            }
        )
    attachment = Attachment(
        content_type=content_type,
        object_id=parent.pk,
        kind=kind,
        name=name,
        description=(description or "").strip(),
        section=section,
        media_type=found.media_type,
        size=size,
        sha256=uploads.sha256_of(file),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    stored = attachment_path_for(attachment, name)
    if attachment.file.storage.exists(stored):
        attachment.file.name = stored  # the same bytes are already kept
    else:
        attachment.file.save(name, file, save=False)
    attachment.full_clean()
    attachment.save()
    audit.record(
        actor=actor,
        action=action_name(Attachment, "create"),
        obj=attachment,
        after=audit.snapshot(attachment),
    )
    return attachment


def attachment_path_for(attachment: Any, name: str) -> str:
    return attachment._meta.get_field("file").generate_filename(attachment, name)


@audit.refusals_recorded("core.attachment.remove")
@transaction.atomic
def attachment_remove(
    *, actor: Any, attachment: Any, reason: str, at: datetime.datetime | None = None
) -> Any:
    """Take a wrong file off its record, saying why. The file stays, marked removed, for the
    record's readers and the audit trail; it no longer counts as evidence.

    The uploader removes while the record is open; an officer of the bureau at any time (a file
    holding personal data that should not have been sent, for instance).
    """
    from uplift.accounts.access import principal_of

    attachment = locked(attachment)
    if attachment.removed_at is not None:
        raise ValidationError(_("%(name)s has already been removed.") % {"name": attachment}, code="state")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the file is removed.")})
    if not is_system(actor) and not principal_of(actor).is_officer:
        closed = attachments_closed_reason(actor, attachment.parent)
        if closed:
            raise ValidationError(closed, code="closed")
        if attachment.uploaded_by_id != actor.pk:
            raise ValidationError(
                _("Only the person who uploaded a file, or a bureau officer, removes it."), code="role"
            )
    before = audit.snapshot(attachment)
    attachment.removed_at = now_or(at)
    attachment.removed_by = actor if getattr(actor, "is_authenticated", False) else None
    attachment.removal_reason = reason
    save_step(attachment, actor=actor, verb="remove", before=before)
    return attachment


# --- Who may act ----------------------------------------------------------------------------------


def is_system(actor: Any) -> bool:
    """The demo builder and management commands act as no one (``actor=None``)."""
    return actor is None or getattr(actor, "is_superuser", False)


def require_officer(actor: Any, message: str) -> None:
    """Only a bureau officer (or the system) takes this step."""
    from uplift.accounts.access import principal_of

    if not is_system(actor) and not principal_of(actor).is_officer:
        raise ValidationError(message, code="role")


def require_state(obj: Any, allowed: tuple[str, ...], *, what: str) -> None:
    """Refuse a step out of order, naming the state the record is in and the ones it needs."""
    if obj.status not in allowed:
        labels = dict(type(obj)._meta.get_field("status").choices)
        raise ValidationError(
            _("The %(what)s is %(status)s; this can only be done when it is %(allowed)s.")
            % {
                "what": what,
                "status": obj.get_status_display(),
                "allowed": " / ".join(str(labels[s]) for s in allowed),
            },
            code="state",
        )


def enterprises_outside(actor: Any, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that ``actor`` may not record (outside their region or their clusters)."""
    from uplift.registry.models import Enterprise

    ids = set(ids)
    if is_system(actor) or not ids:
        return set()
    return ids - set(Enterprise.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def check_enterprise(actor: Any, enterprise: Any) -> None:
    """Refuse an enterprise outside the actor's scope, naming it."""
    if enterprise is not None and enterprise_outside(actor, enterprise):
        raise ValidationError(
            {"enterprise": _("%(name)s is outside your scope; you cannot record it.") % {"name": enterprise}}
        )


def enterprise_outside(actor: Any, enterprise: Any) -> bool:
    return bool(enterprises_outside(actor, [enterprise.pk]))


def officer_create(model: type[M], *, actor: Any, data: dict[str, Any], message: str) -> M:
    """Create a record only a bureau officer keeps (an inspection, a yearly figure), for an
    enterprise in their scope if it names one."""
    require_officer(actor, message)
    check_enterprise(actor, data.get("enterprise"))
    return create_object(model, actor=actor, data=data)


def officer_update(instance: M, *, actor: Any, data: dict[str, Any], message: str) -> M:
    """Correct such a record; a new enterprise must be in the officer's scope too."""
    require_officer(actor, message)
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != getattr(instance, "enterprise", None):
        check_enterprise(actor, enterprise)
    return update_object(instance, actor=actor, data=data)
