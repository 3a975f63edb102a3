"""Sealed bids: submit, replace, withdraw before the deadline; disqualify during the evaluation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import ConflictError
from uplift.registry.models import ServiceInstitution

from .. import sealing
from ..choices import BidStatus, LotStatus, TenderStatus
from ..models import (
    Bid,
    Lot,
)
from ._common import _acting_institution, _locked, _now, _require, _require_bureau, _save, refused


@refused("procurement.bid.submit")
@transaction.atomic
def bid_submit(
    *,
    actor: Any,
    lot: Lot,
    price: Decimal,
    proposal: str = "",
    institution: ServiceInstitution | None = None,
    at: datetime.datetime | None = None,
) -> Bid:
    """Submit, or replace, an institution's sealed bid for a lot before the deadline.

    Only an institution's own staff bid for it. The price and proposal are sealed at once; the
    returned bid's ``commitment`` and ``salt`` make the receipt.
    """
    now = _now(at)
    institution = _acting_institution(actor, institution)
    if institution is None:
        raise ValidationError(_("Only a service institution's staff can submit a bid."))
    tender = _locked(lot.tender)
    lot = _locked(lot)
    if tender.status != TenderStatus.PUBLISHED:
        raise ValidationError({"lot": _("This tender is not open for bids.")})
    if now >= tender.bid_deadline:
        raise ValidationError(
            {
                "lot": _("The bid deadline (%(deadline)s) has passed; late bids are refused.")
                % {"deadline": timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")}
            }
        )
    if lot.status != LotStatus.OPEN:
        raise ValidationError({"lot": _("This lot is closed.")})
    price = Decimal(price)
    if price <= 0:
        raise ValidationError({"price": _("The price must be more than zero.")})
    if price > lot.budget_ceiling:
        raise ValidationError(
            {
                "price": _("The price is above the lot's budget ceiling of %(ceiling)s yuan.")
                % {"ceiling": f"{lot.budget_ceiling:,.2f}"}
            }
        )
    salt = sealing.new_salt()
    content = {"price": price, "proposal": proposal or ""}
    commitment = sealing.commitment(
        tender=tender.reference, lot=lot.number, bidder=institution.credit_code, salt=salt, **content
    )
    existing = Bid.objects.select_for_update().filter(lot=lot, institution=institution).first()
    bid = existing or Bid(lot=lot, institution=institution)
    before = audit.snapshot(existing)
    bid.status, bid.submitted_at, bid.salt, bid.commitment = BidStatus.SUBMITTED, now, salt, commitment
    bid.sealed = sealing.seal(**content)
    _save(bid, actor=actor, verb="replace" if existing else "submit", before=before)
    return bid


def bid_replace(
    *,
    actor: Any,
    instance: Bid,
    price: Decimal | None = None,
    proposal: str | None = None,
    lot: Lot | None = None,
    institution: ServiceInstitution | None = None,
    version: int | None = None,
    at: datetime.datetime | None = None,
) -> Bid:
    """Replace a bid with a new price and/or proposal (a new seal and receipt), before the deadline."""
    _own_bid(actor, instance)
    if lot is not None and lot != instance.lot:
        raise ValidationError({"lot": _("A bid cannot move to another lot; submit a new bid there.")})
    if institution is not None and institution != instance.institution:
        raise ValidationError({"institution": _("A bid cannot change hands.")})
    stored = Bid.objects.get(pk=instance.pk)
    if version is not None and version != stored.version:
        raise ConflictError(stored)
    if price is None or proposal is None:
        try:
            old_price, old_proposal = sealing.unseal(stored.sealed)
        except sealing.SealBroken as exc:
            raise ValidationError(
                _("The bid cannot be unsealed; submit the price and proposal again.")
            ) from exc
        price = old_price if price is None else price
        proposal = old_proposal if proposal is None else proposal
    return bid_submit(
        actor=actor, lot=instance.lot, price=price, proposal=proposal, institution=instance.institution, at=at
    )


def _own_bid(actor: Any, bid: Bid) -> None:
    p = principal_of(actor)
    if actor is not None and not p.is_superuser and bid.institution_id not in p.institution_ids:
        raise ValidationError(_("Only the bidder can change or withdraw its bid."))


@refused("procurement.bid.withdraw")
@transaction.atomic
def bid_withdraw(*, actor: Any, bid: Bid, at: datetime.datetime | None = None) -> Bid:
    """Withdraw a sealed bid before the deadline (it can be submitted again until then)."""
    now = _now(at)
    _own_bid(actor, bid)
    bid = _locked(bid)
    tender = bid.lot.tender
    if bid.status != BidStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted bid can be withdrawn."))
    if tender.status != TenderStatus.PUBLISHED or now >= tender.bid_deadline:
        raise ValidationError(_("The bid deadline has passed; the bid can no longer be withdrawn."))
    before = audit.snapshot(bid)
    bid.status = BidStatus.WITHDRAWN
    _save(bid, actor=actor, verb="withdraw", before=before)
    return bid


@refused("procurement.bid.disqualify")
@transaction.atomic
def bid_disqualify(*, actor: Any, bid: Bid, reason: str) -> Bid:
    """Disqualify an opened bid during the evaluation, with the reason the report shows."""
    bid = _locked(bid)
    _require_bureau(actor, bid.lot.tender)
    _require(bid.lot.tender, TenderStatus.EVALUATING)
    if bid.status != BidStatus.OPENED:
        raise ValidationError(_("Only an opened, valid bid can be disqualified."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the bid is disqualified.")})
    before = audit.snapshot(bid)
    bid.status, bid.disqualified_reason = BidStatus.DISQUALIFIED, reason.strip()
    _save(bid, actor=actor, verb="disqualify", before=before)
    return bid
