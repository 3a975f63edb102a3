"""Economic benefits: claimed by the institution, verified (or rejected) by a bureau officer."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import create_object, locked, now_or, save_step, update_object

from ..choices import BenefitStatus
from ..models import Benefit
from ._common import check_enterprise, keep_place, placed, refused, require_officer, require_state

EDITABLE = (BenefitStatus.DRAFT, BenefitStatus.REJECTED)


@refused("delivery.benefit.create")
@transaction.atomic
def benefit_create(*, actor: Any, **data: Any) -> Benefit:
    """Claim a benefit as a draft, for an enterprise or (without one) for the project's cluster."""
    data = placed(actor, data)
    check_enterprise(actor, data.get("enterprise"))
    return create_object(Benefit, actor=actor, data=data)


@refused("delivery.benefit.update")
@transaction.atomic
def benefit_update(*, actor: Any, instance: Benefit, **data: Any) -> Benefit:
    """Change a claim while it is a draft or has been rejected."""
    require_state(instance, EDITABLE, what=_("benefit claim"))
    data = keep_place(instance, data)
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != instance.enterprise:
        check_enterprise(actor, enterprise)
    return update_object(instance, actor=actor, data=data)


@refused("delivery.benefit.submit")
@transaction.atomic
def benefit_submit(*, actor: Any, benefit: Benefit, at: datetime.datetime | None = None) -> Benefit:
    """Send the claim, with its calculation and evidence, to the bureau for verification."""
    benefit = locked(benefit)
    require_state(benefit, EDITABLE, what=_("benefit claim"))
    before = audit.snapshot(benefit)
    benefit.status = BenefitStatus.SUBMITTED
    benefit.submitted_at = now_or(at)
    benefit.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    save_step(benefit, actor=actor, verb="submit", before=before)
    return benefit


@refused("delivery.benefit.verify")
@transaction.atomic
def benefit_verify(
    *, actor: Any, benefit: Benefit, note: str = "", at: datetime.datetime | None = None
) -> Benefit:
    """Sign the claim off: from now on its amount counts. Never by the one who submitted it."""
    require_officer(actor, _("Only a bureau officer verifies a benefit."))
    benefit = locked(benefit)
    require_state(benefit, (BenefitStatus.SUBMITTED,), what=_("benefit claim"))
    if actor is not None and benefit.submitted_by_id == getattr(actor, "pk", None):
        raise ValidationError(
            _("You submitted this claim; another officer must verify it."), code="own_submission"
        )
    before = audit.snapshot(benefit)
    benefit.status = BenefitStatus.VERIFIED
    benefit.verified_at = now_or(at)
    benefit.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    benefit.verification_note = (note or "").strip()
    save_step(benefit, actor=actor, verb="verify", before=before)
    return benefit


@refused("delivery.benefit.reject")
@transaction.atomic
def benefit_reject(
    *, actor: Any, benefit: Benefit, reason: str, at: datetime.datetime | None = None
) -> Benefit:
    """Send the claim back: the amount or its evidence does not hold up."""
    require_officer(actor, _("Only a bureau officer rejects a benefit."))
    benefit = locked(benefit)
    require_state(benefit, (BenefitStatus.SUBMITTED,), what=_("benefit claim"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the claim does not hold up.")})
    before = audit.snapshot(benefit)
    benefit.status = BenefitStatus.REJECTED
    benefit.verification_note = reason.strip()
    save_step(benefit, actor=actor, verb="reject", before=before)
    return benefit
