"""Tenders, their lots and criteria (edited while draft), questions, and the moves publish → close →
open, or cancel."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import create_object, update_object
from uplift.registry.models import ServiceInstitution

from .. import sealing
from ..choices import BidStatus, CriterionKind, LotStatus, TenderStatus
from ..models import (
    Bid,
    Clarification,
    Criterion,
    Lot,
    Tender,
)
from ._common import (
    _acting_institution,
    _locked,
    _lot_unsuccessful,
    _now,
    _require,
    _require_bureau,
    _save,
    _status_error,
    refused,
)

# --- Tender, lots and criteria (editable while draft) ------------------------------------------


def _draft_only(tender: Tender) -> None:
    if tender.status != TenderStatus.DRAFT:
        raise ValidationError(_("A published tender cannot be changed; publish a clarification instead."))


def tender_create(*, actor: Any, **data: Any) -> Tender:
    return create_object(Tender, actor=actor, data=data)


def tender_update(*, actor: Any, instance: Tender, **data: Any) -> Tender:
    _draft_only(instance)
    return update_object(instance, actor=actor, data=data)


def lot_create(*, actor: Any, **data: Any) -> Lot:
    if data.get("tender") is not None:
        _draft_only(data["tender"])
    return create_object(Lot, actor=actor, data=data)


def lot_update(*, actor: Any, instance: Lot, **data: Any) -> Lot:
    _draft_only(instance.tender)
    if "tender" in data and data["tender"] != instance.tender:
        raise ValidationError({"tender": _("A lot cannot move to another tender.")})
    return update_object(instance, actor=actor, data=data)


def criterion_create(*, actor: Any, **data: Any) -> Criterion:
    if data.get("tender") is not None:
        _draft_only(data["tender"])
    return create_object(Criterion, actor=actor, data=data)


def criterion_update(*, actor: Any, instance: Criterion, **data: Any) -> Criterion:
    _draft_only(instance.tender)
    if "tender" in data and data["tender"] != instance.tender:
        raise ValidationError({"tender": _("A criterion cannot move to another tender.")})
    return update_object(instance, actor=actor, data=data)


def publication_problems(tender: Tender) -> list[str]:
    """What stops ``tender`` from being published (empty when it can be)."""
    problems = []
    if not tender.lots.exists():
        problems.append(_("The tender has no lots."))
    criteria = list(tender.criteria.all())
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != 100:
        problems.append(
            _("The criteria weights add up to %(total)s, not 100.")
            % {"total": format(total.normalize(), "f")}
        )
    if not any(c.kind == CriterionKind.PRICE for c in criteria):
        problems.append(_("The tender has no price criterion."))
    if not any(c.kind != CriterionKind.PRICE for c in criteria):
        problems.append(_("The tender has no criterion for the experts to score."))
    return problems


@refused("procurement.tender.publish")
@transaction.atomic
def tender_publish(*, actor: Any, tender: Tender, at: datetime.datetime | None = None) -> Tender:
    """draft → published: the notice goes public and bids may be submitted."""
    now = _now(at)
    tender = _locked(tender)
    _require_bureau(actor, tender)
    _require(tender, TenderStatus.DRAFT)
    problems = publication_problems(tender)
    if tender.clarification_deadline <= now:
        problems.append(_("The clarification deadline has passed; set new dates first."))
    if problems:
        raise ValidationError(problems)
    before = audit.snapshot(tender)
    tender.status, tender.published_at = TenderStatus.PUBLISHED, now
    _save(tender, actor=actor, verb="publish", before=before)
    return tender


@refused("procurement.tender.close")
@transaction.atomic
def tender_close(*, actor: Any, tender: Tender, at: datetime.datetime | None = None) -> Tender:
    """published → bidding closed, once the bid deadline has passed."""
    now = _now(at)
    tender = _locked(tender)
    _require_bureau(actor, tender)
    _require(tender, TenderStatus.PUBLISHED)
    if now < tender.bid_deadline:
        raise ValidationError(
            _("Bidding stays open until the deadline, %(deadline)s.")
            % {"deadline": timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")}
        )
    before = audit.snapshot(tender)
    tender.status = TenderStatus.CLOSED
    _save(tender, actor=actor, verb="close", before=before)
    return tender


@refused("procurement.tender.open")
@transaction.atomic
def tender_open(*, actor: Any, tender: Tender, at: datetime.datetime | None = None) -> Tender:
    """bidding closed → evaluating: unseal every bid, check its commitment, publish the opening record.

    A bid whose content no longer matches its commitment (or cannot be unsealed) is disqualified
    with the reason. Lots without a valid bid are unsuccessful; a tender without any, too.
    """
    now = _now(at)
    tender = _locked(tender)
    _require_bureau(actor, tender)
    _require(tender, TenderStatus.CLOSED)
    if now < tender.opening_at:
        raise ValidationError(
            _("Bids may not be opened before %(opening)s.")
            % {"opening": timezone.localtime(tender.opening_at).strftime("%Y-%m-%d %H:%M")}
        )
    before = audit.snapshot(tender)
    sealed = Bid.objects.select_for_update(of=("self",)).select_related("lot", "institution")
    for bid in sealed.filter(lot__tender=tender, status=BidStatus.SUBMITTED):
        bid_before = audit.snapshot(bid)
        try:
            price, proposal = sealing.unseal(bid.sealed)
        except sealing.SealBroken:
            price, proposal = None, ""
        expected = (
            sealing.commitment(
                tender=tender.reference,
                lot=bid.lot.number,
                bidder=bid.institution.credit_code,
                price=price,
                proposal=proposal,
                salt=bid.salt,
            )
            if price is not None
            else None
        )
        bid.price, bid.proposal = price, proposal
        bid.commitment_ok = expected == bid.commitment
        if bid.commitment_ok:
            bid.status = BidStatus.OPENED
        else:
            bid.status = BidStatus.DISQUALIFIED
            bid.disqualified_reason = _("The opened bid does not match the commitment on its receipt.")
        _save(bid, actor=actor, verb="open", before=bid_before)
    for lot in tender.lots.all():
        if not lot.bids.filter(status=BidStatus.OPENED).exists():
            _lot_unsuccessful(lot, actor=actor)
    tender.opened_at = now
    tender.status = (
        TenderStatus.EVALUATING
        if tender.lots.filter(status=LotStatus.OPEN).exists()
        else TenderStatus.UNSUCCESSFUL
    )
    _save(tender, actor=actor, verb="open", before=before)
    return tender


@refused("procurement.tender.cancel")
@transaction.atomic
def tender_cancel(*, actor: Any, tender: Tender, reason: str, at: datetime.datetime | None = None) -> Tender:
    """Cancel a tender that has not been awarded, saying why (the reason is published)."""
    tender = _locked(tender)
    _require_bureau(actor, tender)
    _require(tender, TenderStatus.DRAFT, TenderStatus.PUBLISHED, TenderStatus.CLOSED, TenderStatus.EVALUATING)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the tender is cancelled.")})
    before = audit.snapshot(tender)
    tender.status, tender.closing_reason, tender.cancelled_at = (
        TenderStatus.CANCELLED,
        reason.strip(),
        _now(at),
    )
    _save(tender, actor=actor, verb="cancel", before=before)
    return tender


# --- Clarifications ----------------------------------------------------------------------------


@refused("procurement.clarification.create")
@transaction.atomic
def clarification_create(
    *,
    actor: Any,
    tender: Tender,
    question: str,
    asked_by: ServiceInstitution | None = None,
    at: datetime.datetime | None = None,
) -> Clarification:
    """Ask a question about a published tender, before its clarification deadline."""
    now = _now(at)
    tender = Tender.objects.get(pk=tender.pk)
    if tender.status != TenderStatus.PUBLISHED:
        raise ValidationError({"tender": _("Questions can be asked about a published tender only.")})
    if now > tender.clarification_deadline:
        raise ValidationError({"tender": _("The clarification deadline has passed.")})
    asked_by = _acting_institution(actor, asked_by)
    return create_object(
        Clarification, actor=actor, data={"tender": tender, "question": question, "asked_by": asked_by}
    )


def clarification_update(*, actor: Any, instance: Clarification, **data: Any) -> Clarification:
    """Correct a question before it is answered (the bureau answers with clarification_answer)."""
    if instance.answered_at:
        raise ValidationError(_("An answered question is published and cannot be changed."))
    if "tender" in data and data["tender"] != instance.tender:
        raise ValidationError({"tender": _("A question cannot move to another tender.")})
    return update_object(instance, actor=actor, data=data)


@refused("procurement.clarification.answer")
@transaction.atomic
def clarification_answer(
    *, actor: Any, clarification: Clarification, answer: str, at: datetime.datetime | None = None
) -> Clarification:
    """Answer a question; the answer is published to every bidder at once."""
    clarification = _locked(clarification)
    _require_bureau(actor, clarification.tender)
    if clarification.answered_at:
        raise ValidationError(_("This question has already been answered."))
    if clarification.tender.status not in (TenderStatus.PUBLISHED, TenderStatus.CLOSED):
        raise _status_error(clarification.tender, (TenderStatus.PUBLISHED, TenderStatus.CLOSED))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    before = audit.snapshot(clarification)
    clarification.answer, clarification.answered_at = answer.strip(), _now(at)
    _save(clarification, actor=actor, verb="answer", before=before)
    return clarification
