"""Every write of procurement: the tender's moves, sealed bids, scoring, award and contract.

Each workflow service locks the record it moves (``select_for_update``), checks the state and the
clock under the lock, and writes its audit entry; of two officers moving a tender at once, one
wins and the other is told the tender has moved on. A refused attempt (a late bid, a transition
out of order) writes nothing but an audit entry saying it was refused.

``at`` is the moment the act happens, the clock by default; the demo and the tests pass it to
replay a 2018 timeline. Pages and the API never let a user set it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.accounts.models import Membership
from uplift.core import audit
from uplift.core.services import ConflictError, create_object, update_object
from uplift.delivery.services import project_create
from uplift.registry.models import ServiceInstitution

from . import sealing
from .choices import BidStatus, CriterionKind, LotStatus, SheetStatus, TenderStatus
from .models import (
    Award,
    Bid,
    Clarification,
    Contract,
    Criterion,
    Lot,
    Milestone,
    PanelMember,
    Payment,
    Score,
    ScoreSheet,
    Tender,
)

refused = audit.refusals_recorded


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _locked(obj):
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


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


def _save(obj, *, actor: Any, verb: str, before: dict | None, fields: list[str] | None = None) -> None:
    """Validate, save with the next version and audit one workflow step."""
    obj.full_clean()
    if hasattr(obj, "version") and obj.pk:
        obj.version += 1
    obj.save()
    audit.record(
        actor=actor,
        action=f"{obj._meta.label_lower}.{verb}",
        obj=obj,
        before=before,
        after=audit.snapshot(obj),
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
    _require(tender, TenderStatus.CLOSED)
    if now < tender.opening_at:
        raise ValidationError(
            _("Bids may not be opened before %(opening)s.")
            % {"opening": timezone.localtime(tender.opening_at).strftime("%Y-%m-%d %H:%M")}
        )
    before = audit.snapshot(tender)
    for bid in Bid.objects.select_for_update().filter(lot__tender=tender, status=BidStatus.SUBMITTED):
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


def _lot_unsuccessful(lot: Lot, *, actor: Any) -> None:
    before = audit.snapshot(lot)
    lot.status = LotStatus.UNSUCCESSFUL
    _save(lot, actor=actor, verb="fail", before=before)


@refused("procurement.tender.cancel")
@transaction.atomic
def tender_cancel(*, actor: Any, tender: Tender, reason: str, at: datetime.datetime | None = None) -> Tender:
    """Cancel a tender that has not been awarded, saying why (the reason is published)."""
    tender = _locked(tender)
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


# --- Bids --------------------------------------------------------------------------------------


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
    _require(bid.lot.tender, TenderStatus.EVALUATING)
    if bid.status != BidStatus.OPENED:
        raise ValidationError(_("Only an opened, valid bid can be disqualified."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the bid is disqualified.")})
    before = audit.snapshot(bid)
    bid.status, bid.disqualified_reason = BidStatus.DISQUALIFIED, reason.strip()
    _save(bid, actor=actor, verb="disqualify", before=before)
    return bid


# --- Panel and scoring -------------------------------------------------------------------------


def panel_member_create(*, actor: Any, **data: Any) -> PanelMember:
    tender = data.get("tender")
    if tender is not None and tender.status in (
        TenderStatus.AWARDED,
        TenderStatus.CANCELLED,
        TenderStatus.UNSUCCESSFUL,
    ):
        raise ValidationError({"tender": _("The tender's evaluation is over.")})
    return create_object(PanelMember, actor=actor, data=data)


def panel_member_update(*, actor: Any, instance: PanelMember, **data: Any) -> PanelMember:
    if "tender" in data and data["tender"] != instance.tender:
        raise ValidationError({"tender": _("A panel member cannot move to another tender.")})
    if "expert" in data and data["expert"] != instance.expert and instance.sheets.exists():
        raise ValidationError({"expert": _("This member has scored; add another member instead.")})
    return update_object(instance, actor=actor, data=data)


def _own_member(actor: Any, member: PanelMember) -> None:
    p = principal_of(actor)
    if actor is not None and not p.is_superuser and member.expert_id not in p.expert_ids:
        raise ValidationError(_("Only the expert can act for this panel seat."))


@refused("procurement.panelmember.declare")
@transaction.atomic
def conflicts_declare(
    *,
    actor: Any,
    member: PanelMember,
    conflicts: list[ServiceInstitution],
    at: datetime.datetime | None = None,
) -> PanelMember:
    """The expert declares the institutions they are in conflict with (possibly none)."""
    _own_member(actor, member)
    member = _locked(member)
    if member.sheets.filter(status=SheetStatus.SUBMITTED).exists():
        raise ValidationError(_("Conflicts cannot be changed after scores were submitted."))
    before = audit.snapshot(member)
    member.declared_at = _now(at)
    _save(member, actor=actor, verb="declare", before=before)
    member.conflicts.set(conflicts)
    return member


def conflict_reason(member: PanelMember, lot: Lot) -> str | None:
    """Why ``member`` may not score ``lot`` (a bidder they are in conflict with), or None."""
    bidders = {
        b.institution for b in lot.bids.select_related("institution").exclude(status=BidStatus.WITHDRAWN)
    }
    declared = set(member.conflicts.all())
    employer = (member.expert.employer or "").strip()
    for bidder in sorted(bidders, key=lambda i: i.pk):
        if bidder in declared:
            return _("declared a conflict with %(bidder)s") % {"bidder": bidder}
        if employer and employer == bidder.name:
            return _("works for %(bidder)s") % {"bidder": bidder}
        if (
            member.expert.user_id
            and Membership.objects.filter(
                user_id=member.expert.user_id, organisation__institution=bidder, is_active=True
            ).exists()
        ):
            return _("belongs to %(bidder)s") % {"bidder": bidder}
    return None


@refused("procurement.scoresheet.save")
@transaction.atomic
def scores_save(
    *,
    actor: Any,
    member: PanelMember,
    lot: Lot,
    scores: dict[tuple[int, int], tuple[Decimal, str]],
) -> ScoreSheet:
    """Save an expert's scores for a lot as a draft: ``{(bid_id, criterion_id): (points, remark)}``."""
    _own_member(actor, member)
    member, lot = PanelMember.objects.get(pk=member.pk), Lot.objects.select_related("tender").get(pk=lot.pk)
    tender = lot.tender
    _require(tender, TenderStatus.EVALUATING)
    if member.tender_id != tender.pk:
        raise ValidationError(_("The expert is not on this tender's panel."))
    if member.declared_at is None:
        raise ValidationError(_("Declare your conflicts of interest before scoring."))
    if reason := conflict_reason(member, lot):
        raise ValidationError(
            _("%(expert)s cannot score this lot: %(reason)s.") % {"expert": member.expert, "reason": reason}
        )
    sheet, created = ScoreSheet.objects.select_for_update().get_or_create(member=member, lot=lot)
    if sheet.status == SheetStatus.SUBMITTED:
        raise ValidationError(_("This score sheet was submitted and can no longer be changed."))
    bids = {b.pk: b for b in lot.bids.filter(status=BidStatus.OPENED)}
    criteria = {c.pk: c for c in tender.criteria.exclude(kind=CriterionKind.PRICE)}
    errors = []
    for (bid_id, criterion_id), (points, remark) in sorted(scores.items()):
        bid, criterion = bids.get(bid_id), criteria.get(criterion_id)
        if bid is None or criterion is None:
            errors.append(
                _("Bid %(bid)s or criterion %(criterion)s cannot be scored here.")
                % {"bid": bid_id, "criterion": criterion_id}
            )
            continue
        if points is None:
            Score.objects.filter(sheet=sheet, bid=bid, criterion=criterion).delete()
            continue
        score = Score.objects.filter(sheet=sheet, bid=bid, criterion=criterion).first() or Score(
            sheet=sheet, bid=bid, criterion=criterion
        )
        score.points, score.remark = points, remark or ""
        try:
            score.full_clean()
        except ValidationError as exc:
            errors.extend(f"{bid.institution} · {criterion.name}: {m}" for m in exc.messages)
            continue
        score.save()
    if errors:
        raise ValidationError(errors)
    audit.record(
        actor=actor,
        action="procurement.scoresheet.save",
        obj=sheet,
        after={"scores": len(scores)},
    )
    return sheet


@refused("procurement.scoresheet.submit")
@transaction.atomic
def sheet_submit(*, actor: Any, sheet: ScoreSheet, at: datetime.datetime | None = None) -> ScoreSheet:
    """Submit a complete score sheet; from then on it is final and others' sheets become visible."""
    _own_member(actor, sheet.member)
    sheet = _locked(sheet)
    _require(sheet.lot.tender, TenderStatus.EVALUATING)
    if sheet.status == SheetStatus.SUBMITTED:
        raise ValidationError(_("This score sheet was already submitted."))
    expected = sheet.lot.bids.filter(status=BidStatus.OPENED).count() * (
        sheet.lot.tender.criteria.exclude(kind=CriterionKind.PRICE).count()
    )
    filled = sheet.scores.filter(bid__status=BidStatus.OPENED).count()
    if filled < expected:
        raise ValidationError(
            _("%(missing)s scores are missing; score every bid on every criterion before submitting.")
            % {"missing": expected - filled}
        )
    before = audit.snapshot(sheet)
    sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, _now(at)
    _save(sheet, actor=actor, verb="submit", before=before)
    return sheet


# --- Award and contract ------------------------------------------------------------------------


@refused("procurement.tender.award")
@transaction.atomic
def tender_award(*, actor: Any, tender: Tender, at: datetime.datetime | None = None) -> Tender:
    """evaluating → awarded: score and rank every lot, award each to its top bid.

    Every panel member free of conflict must have submitted a sheet for every lot with bids.
    The winner becomes the pilot's institution; the standstill period starts now.
    """
    from .selectors import lot_results, missing_sheets

    now = _now(at)
    tender = _locked(tender)
    _require(tender, TenderStatus.EVALUATING)
    lots = list(tender.lots.filter(status=LotStatus.OPEN).select_related("pilot"))
    waiting = {lot: missing_sheets(lot) for lot in lots if lot.bids.filter(status=BidStatus.OPENED).exists()}
    problems = [
        _("Lot %(lot)s is waiting for the score sheets of %(experts)s.")
        % {"lot": lot.number, "experts": ", ".join(names)}
        for lot, names in waiting.items()
        if names
    ]
    problems += [
        _("Lot %(lot)s has no submitted score sheet.") % {"lot": lot.number}
        for lot in waiting
        if not lot.sheets.filter(status=SheetStatus.SUBMITTED).exists()
    ]
    if problems:
        raise ValidationError(problems)
    before = audit.snapshot(tender)
    standstill = now + datetime.timedelta(days=tender.standstill_days)
    for lot in lots:
        results = lot_results(lot)
        for r in results:
            bid = Bid.objects.get(pk=r.bid_id)
            bid_before = audit.snapshot(bid)
            bid.quality_score, bid.price_score, bid.bonus = r.quality, r.price_score, r.bonus
            bid.total, bid.rank = r.total, r.rank
            _save(bid, actor=actor, verb="score", before=bid_before)
        if not results:
            _lot_unsuccessful(lot, actor=actor)
            continue
        winner = Bid.objects.select_related("institution").get(pk=results[0].bid_id)
        create_object(
            Award,
            actor=actor,
            data={
                "lot": lot,
                "bid": winner,
                "amount": winner.price,
                "decided_at": now,
                "standstill_ends": standstill,
            },
        )
        lot_before = audit.snapshot(lot)
        lot.status = LotStatus.AWARDED
        _save(lot, actor=actor, verb="award", before=lot_before)
        pilot = lot.pilot
        if pilot.institution_id != winner.institution_id:
            update_object(pilot, actor=actor, data={"institution": winner.institution}, verb="award")
    tender.awarded_at = now
    tender.status = (
        TenderStatus.AWARDED
        if tender.lots.filter(status=LotStatus.AWARDED).exists()
        else TenderStatus.UNSUCCESSFUL
    )
    _save(tender, actor=actor, verb="award", before=before)
    return tender


@refused("procurement.contract.create")
@transaction.atomic
def contract_create(*, actor: Any, award: Award, **data: Any) -> Contract:
    """Sign the contract of an award once its standstill period has ended; creates the service project."""
    signed_on = data.get("signed_on")
    if signed_on is not None and signed_on < timezone.localtime(award.standstill_ends).date():
        raise ValidationError(
            {
                "signed_on": _("The standstill period runs until %(date)s; sign after it.")
                % {"date": timezone.localtime(award.standstill_ends).date().isoformat()}
            }
        )
    contract = create_object(
        Contract, actor=actor, data={**data, "award": award, "institution": award.bid.institution}
    )
    project_create(
        actor=actor,
        **{
            "contract": contract,
            "pilot": award.lot.pilot,
            "institution": contract.institution,
            "title": award.lot.title,
            "start_date": contract.start_date,
            "end_date": contract.end_date,
        },
    )
    return contract


def contract_update(*, actor: Any, instance: Contract, **data: Any) -> Contract:
    if "award" in data and data["award"] != instance.award:
        raise ValidationError({"award": _("A contract cannot move to another award.")})
    return update_object(instance, actor=actor, data=data)


def milestone_create(*, actor: Any, **data: Any) -> Milestone:
    _milestones_fit(data.get("contract"), data.get("amount") or 0)
    return create_object(Milestone, actor=actor, data=data)


def milestone_update(*, actor: Any, instance: Milestone, **data: Any) -> Milestone:
    _milestones_fit(
        data.get("contract", instance.contract), data.get("amount", instance.amount), exclude=instance
    )
    return update_object(instance, actor=actor, data=data)


def _milestones_fit(contract: Contract | None, amount: Decimal, *, exclude: Milestone | None = None) -> None:
    if contract is None:
        return
    others = contract.milestones.exclude(pk=getattr(exclude, "pk", None)).aggregate(s=Sum("amount"))["s"] or 0
    if others + Decimal(amount) > contract.amount:
        raise ValidationError(
            {
                "amount": _("The milestones' payments would exceed the contract amount of %(total)s.")
                % {"total": f"{contract.amount:,.2f}"}
            }
        )


def payment_create(*, actor: Any, **data: Any) -> Payment:
    return create_object(Payment, actor=actor, data=data)


def payment_update(*, actor: Any, instance: Payment, **data: Any) -> Payment:
    return update_object(instance, actor=actor, data=data)
