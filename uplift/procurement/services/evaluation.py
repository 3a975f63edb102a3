"""The panel, conflicts of interest, score sheets, and the award of every lot to its top bid."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import create_object, update_object
from uplift.registry.models import ServiceInstitution

from .. import selectors
from ..choices import BidStatus, CriterionKind, LotStatus, SheetStatus, TenderStatus
from ..models import (
    Award,
    Lot,
    PanelMember,
    Score,
    ScoreSheet,
    Tender,
)
from ._common import _locked, _lot_unsuccessful, _now, _require, _save, refused


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
    if reason := selectors.conflict_reason(member, lot):
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


@refused("procurement.tender.award")
@transaction.atomic
def tender_award(*, actor: Any, tender: Tender, at: datetime.datetime | None = None) -> Tender:
    """evaluating → awarded: score and rank every lot, award each to its top bid.

    Every panel member free of conflict must have submitted a sheet for every lot with bids.
    The winner becomes the pilot's institution; the standstill period starts now.
    """
    now = _now(at)
    tender = _locked(tender)
    _require(tender, TenderStatus.EVALUATING)
    lots = list(tender.lots.filter(status=LotStatus.OPEN).select_related("pilot"))
    waiting = {
        lot: selectors.missing_sheets(lot)
        for lot in lots
        if lot.bids.filter(status=BidStatus.OPENED).exists()
    }
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
        results = selectors.lot_results(lot)
        bids = lot.bids.select_related("institution").in_bulk([r.bid_id for r in results])
        for r in results:
            bid = bids[r.bid_id]
            bid_before = audit.snapshot(bid)
            bid.quality_score, bid.price_score, bid.bonus = r.quality, r.price_score, r.bonus
            bid.total, bid.rank = r.total, r.rank
            _save(bid, actor=actor, verb="score", before=bid_before)
        if not results:
            _lot_unsuccessful(lot, actor=actor)
            continue
        winner = bids[results[0].bid_id]
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
