"""What every procurement service shares: the clock, row locks, state checks, audited saves."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import locked, now_or, save_step
from uplift.registry.models import ServiceInstitution

from ..choices import LotStatus, TenderStatus
from ..models import (
    Lot,
    Tender,
)
from ..selectors import runs_tender

refused = audit.refusals_recorded


_now = now_or
_locked = locked
_save = save_step


def _status_error(tender: Tender, allowed: tuple[str, ...]) -> ValidationError:
    return ValidationError(
        _("The tender is %(status)s; this can only be done when it is %(allowed)s.")
        % {
            "status": tender.get_status_display(),
            "allowed": " / ".join(str(TenderStatus(s).label) for s in allowed),
        },
        code="state",
    )


def _require(tender: Tender, *allowed: str) -> None:
    if tender.status not in allowed:
        raise _status_error(tender, allowed)


def _require_bureau(actor: Any, tender: Tender) -> None:
    if not runs_tender(actor, tender):
        raise ValidationError(_("Only the bureau running this tender's programme can do this."), code="scope")


def _lot_unsuccessful(lot: Lot, *, actor: Any) -> None:
    before = audit.snapshot(lot)
    lot.status = LotStatus.UNSUCCESSFUL
    _save(lot, actor=actor, verb="fail", before=before)


def _acting_institution(actor: Any, institution: ServiceInstitution | None) -> ServiceInstitution | None:
    """The institution ``actor`` acts for: the given one, checked, or their only one."""
    p = principal_of(actor)
    if institution is not None:
        if actor is not None and not p.is_superuser and institution.pk not in p.institution_ids:
            raise ValidationError({"institution": _("You do not act for this institution.")})
        return institution
    if len(p.institution_ids) == 1:
        return ServiceInstitution.objects.get(pk=next(iter(p.institution_ids)))
    return None
