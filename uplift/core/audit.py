"""The audit trail: every service call records what it changed.

Services call :func:`record` inside their transaction. The acting user is passed explicitly; the
client address comes from the request being served (set by
:class:`uplift.core.middleware.RequestContextMiddleware`), or is empty for commands.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import functools
import json
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import GENESIS_HASH, AuditChainHead, AuditEntry

current_address: ContextVar[str | None] = ContextVar("current_address", default=None)


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


#: The JSON-safe rendering of a field value (public name, for other apps' before/after records).
plain = _plain


#: Fields never copied into the audit trail: churn, and secrets (a password hash is still a secret).
#: A model names its own secrets in ``audit_exclude``.
NOT_AUDITED = {"created_at", "updated_at", "password", "last_login"}


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """The concrete field values of ``obj`` (foreign keys as their ids), for before/after."""
    if obj is None:
        return None
    data = {}
    private = NOT_AUDITED | set(getattr(obj, "audit_exclude", ()))
    for field in obj._meta.concrete_fields:
        if field.name in private:
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
    """Write one audit entry, linked into the hash chain; call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)
    roles = ""
    if user is not None:
        from uplift.accounts.access import principal_of

        roles = ",".join(sorted(principal_of(user).roles))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        now = timezone.now()  # taken under the lock, so times never run backwards along the chain
        entry = AuditEntry(
            seq=head.seq + 1,
            at=now.replace(microsecond=now.microsecond // 1000 * 1000),  # as hashed and backed up
            actor=user,
            actor_name=getattr(user, "username", "") or "system",
            actor_roles=roles[:200],
            address=current_address.get(),
            action=action,
            object_type=object_type,
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=object_repr[:255],
            # Stored as JSON and hashed as read back: normalise now so both agree.
            before=json.loads(json.dumps(before, cls=DjangoJSONEncoder)) if before is not None else None,
            after=json.loads(json.dumps(after, cls=DjangoJSONEncoder)) if after is not None else None,
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    after_step(action=action, obj=obj, actor=user, object_repr=entry.object_repr)
    return entry


#: Set while a dataset is replayed (the demo's 2018): its steps are history, not hand-overs to
#: tell anyone about today.
steps_quiet: ContextVar[bool] = ContextVar("steps_quiet", default=False)


@contextlib.contextmanager
def quiet_steps() -> Iterator[None]:
    """Record steps without handing them to the step hook (no notifications)."""
    token = steps_quiet.set(True)
    try:
        yield
    finally:
        steps_quiet.reset(token)


def after_step(*, action: str, obj: models.Model | None, actor: Any, object_repr: str) -> None:
    """Hand the recorded step to ``settings.UPLIFT_STEP_HOOK`` (the notifications of a workflow's
    hand-overs, :mod:`uplift.notifications.handovers`), inside the step's transaction: the hook
    defers its effects to the commit, so a step rolled back has none. Named in settings so that
    core imports no app built on it."""
    path = getattr(settings, "UPLIFT_STEP_HOOK", "")
    if path and not steps_quiet.get():
        _step_hook(path)(action=action, obj=obj, actor=actor, object_repr=object_repr)


@functools.cache
def _step_hook(path: str) -> Callable[..., Any]:
    """The hook named ``path``, imported once (every audit entry calls it, bulk writes included)."""
    return import_string(path)


def verify(*, chunk_size: int = 2000) -> tuple[int, str | None]:
    """Walk the chain from the first entry; return (entries checked, the first problem or None)."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return checked, f"entry #{expected_seq} is missing (next present is #{entry.seq})"
        if entry.prev_hash != expected_prev:
            return checked, f"entry #{entry.seq} does not link to entry #{entry.seq - 1}"
        if entry.compute_hash() != entry.hash:
            return checked, f"entry #{entry.seq} was altered after it was written"
        expected_prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, expected_prev):
        return checked, f"entries after #{expected_seq - 1} are missing (the chain ends at #{head.seq})"
    return checked, None


F = TypeVar("F", bound=Callable[..., Any])

#: The suffix of the action of a refused attempt: ``procurement.bid.submit_refused``.
REFUSED = "_refused"


def _subject(args: tuple, kwargs: dict[str, Any]) -> models.Model | None:
    for value in (*kwargs.values(), *args):
        if isinstance(value, models.Model):
            return value
    return None


def record_refusal(refusal: dict[str, Any]) -> AuditEntry:
    """Write the audit entry of a refused attempt (prepared by :func:`refusals_recorded`)."""
    return record(**refusal)


def refusals_recorded(action: str) -> Callable[[F], F]:
    """Audit the refused attempts of a workflow service, as well as its successes.

    When the service raises ValidationError (a late bid, a transition out of order) its own
    transaction rolls back, then the attempt is recorded as ``<action>_refused`` with the reasons.
    If a caller's outer transaction rolls back too (:func:`uplift.core.views.run_service` does),
    that entry goes with it, so the exception carries ``refusal`` for the caller to record again
    once outside; exactly one entry survives either way.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except ValidationError as exc:
                if getattr(exc, "code", None) == "conflict" or hasattr(exc, "refusal"):
                    raise
                subject = _subject(args, {k: v for k, v in kwargs.items() if k != "actor"})
                exc.refusal = {  # type: ignore[attr-defined]
                    "actor": kwargs.get("actor"),
                    "action": action + REFUSED,
                    "obj": subject if subject is not None and subject.pk else None,
                    "after": {"refused": exc.messages[:20]},
                }
                record_refusal(exc.refusal)  # type: ignore[attr-defined]
                raise

        return wrapper  # type: ignore[return-value]

    return decorate
