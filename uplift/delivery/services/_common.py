"""What delivery's services share: who may act, and the state checks of a workflow."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit

refused = audit.refusals_recorded


def is_system(actor: Any) -> bool:
    """The demo builder and management commands act as no one (``actor=None``)."""
    return actor is None or getattr(actor, "is_superuser", False)


def require_officer(actor: Any, message: str) -> None:
    """Only a bureau officer (or the system) takes this step."""
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
