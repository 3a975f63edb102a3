"""The panel, conflicts of interest, score sheets, and the award of every lot to its top bid."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.accounts.access import pickable, principal_of
from uplift.accounts.models import Membership
from uplift.core import audit
from uplift.core.services import create_object, is_system, update_object
from uplift.registry.models import Expert, Industry, ServiceInstitution

from .. import selectors
from ..choices import BidStatus, CriterionKind, LotStatus, SheetStatus, TenderStatus
from ..models import (
    Award,
    Bid,
    Lot,
    PanelMember,
    Score,
    ScoreSheet,
    Tender,
)
from ._common import _locked, _lot_unsuccessful, _now, _require, _require_bureau, _save, refused, runs_tender

#: The states in which a tender may still get panel members (by hand or drawn at random).
PANEL_OPEN_STATES = (
    TenderStatus.DRAFT,
    TenderStatus.PUBLISHED,
    TenderStatus.CLOSED,
    TenderStatus.EVALUATING,
)
#: How many experts one random draw seats.
PANEL_DRAW_MIN, PANEL_DRAW_MAX = 3, 9


def panel_member_create(*, actor: Any, **data: Any) -> PanelMember:
    tender = data.get("tender")
    if tender is not None:
        _require_bureau(actor, tender)
        if tender.status not in PANEL_OPEN_STATES:
            raise ValidationError({"tender": _("The tender's evaluation is over.")})
    return create_object(PanelMember, actor=actor, data=data)


def drawn_expert_ids(*, seed: int, eligible: Iterable[int], size: int) -> list[int]:
    """The experts a draw with ``seed`` picks among ``eligible`` (ids), in the order drawn.

    Pure: an auditor re-runs a recorded draw with the ``seed``, ``eligible`` and ``size`` of its
    audit entry (``procurement.panel.draw``) and gets its ``drawn`` ids.
    """
    return random.Random(seed).sample(sorted(eligible), size)


def _draw_pool(
    actor: Any, tender: Tender, *, specialties: str, industry_codes: list[str]
) -> tuple[list[int], dict[str, list[int]]]:
    """The ids (sorted) of the experts a draw for ``tender`` may pick, and who was left out why.

    Among the experts ``actor`` may pick: not already on the panel, not employed by (nor a member
    of) an institution that bid for the tender, with ``specialties`` in their specialties and at
    least one of the industries, when given.
    """
    experts = Expert.objects.all() if is_system(actor) else pickable(Expert.objects.all(), actor)
    if specialties:
        experts = experts.filter(specialties__icontains=specialties)
    if industry_codes:
        experts = experts.filter(
            pk__in=Expert.industries.through.objects.filter(industry_id__in=industry_codes).values(
                "expert_id"
            )
        )
    on_panel = set(tender.panel.values_list("expert_id", flat=True))
    bidder_ids = (
        Bid.objects.filter(lot__tender=tender).exclude(status=BidStatus.WITHDRAWN).values("institution_id")
    )
    bidder_names = set(ServiceInstitution.objects.filter(pk__in=bidder_ids).values_list("name", flat=True))
    staff = set(
        Membership.objects.filter(organisation__institution_id__in=bidder_ids, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    eligible, conflicted = [], []
    for pk, employer, user_id in experts.values_list("pk", "employer", "user_id"):
        if pk in on_panel:
            continue
        if (employer or "").strip() in bidder_names or (user_id is not None and user_id in staff):
            conflicted.append(pk)
        else:
            eligible.append(pk)
    excluded = {"on_panel": sorted(on_panel), "bidders_staff": sorted(conflicted)}
    return sorted(eligible), excluded


@refused("procurement.panel.draw")
@transaction.atomic
def panel_draw(
    *,
    actor: Any,
    tender: Tender,
    size: int,
    specialties: str = "",
    industries: Iterable[Industry | str] = (),
    seed: int | None = None,
    at: datetime.datetime | None = None,
) -> list[PanelMember]:
    """Draw ``size`` experts at random from the registry onto ``tender``'s panel (随机抽取评标专家).

    The pool is every expert the officer may pick, less those already on the panel and those
    employed by a bidder, narrowed by ``specialties`` (a substring) and ``industries`` (any of
    them). ``random.Random(seed)`` samples the pool's ids, sorted; ``seed`` comes from
    :mod:`secrets` unless given (tests). One audit entry, ``procurement.panel.draw``, holds the
    seed, the pool, the criteria and the ids drawn, so anyone can re-run the draw
    (:func:`drawn_expert_ids`); then each member is added as by hand (audited, notified). The first
    drawn chairs when the panel has no chair. Fewer eligible experts than asked: nothing is written.
    """
    if not is_system(actor) and not (
        principal_of(actor).is_officer and actor.has_perm("procurement.add_panelmember")
    ):
        raise ValidationError(_("Only a bureau officer draws a tender's panel."), code="role")
    tender = _locked(tender)
    if not runs_tender(actor, tender):
        # Its panel would be out of the officer's sight (a published tender is seen by all).
        raise ValidationError(_("Only the bureau of the tender's programme draws its panel."), code="scope")
    _require(tender, *PANEL_OPEN_STATES)
    if isinstance(size, bool) or not isinstance(size, int) or not PANEL_DRAW_MIN <= size <= PANEL_DRAW_MAX:
        raise ValidationError(
            {
                "size": _("Draw between %(min)s and %(max)s experts.")
                % {"min": PANEL_DRAW_MIN, "max": PANEL_DRAW_MAX}
            }
        )
    specialties = (specialties or "").strip()
    industry_codes = sorted({str(getattr(i, "pk", i)) for i in industries})
    eligible, excluded = _draw_pool(actor, tender, specialties=specialties, industry_codes=industry_codes)
    if len(eligible) < size:
        raise ValidationError(
            _("Only %(eligible)s eligible experts, %(size)s asked: widen the criteria or add experts.")
            % {"eligible": len(eligible), "size": size},
            code="pool",
        )
    if seed is None:
        seed = secrets.randbelow(2**53)  # an integer every JSON reader keeps exactly
    drawn = drawn_expert_ids(seed=seed, eligible=eligible, size=size)
    audit.record(
        actor=actor,
        action="procurement.panel.draw",
        obj=tender,
        after={
            "seed": seed,
            "eligible": eligible,
            "criteria": {"size": size, "specialties": specialties, "industries": industry_codes},
            "excluded": excluded,
            "drawn": drawn,
            "rerun": "random.Random(seed).sample(sorted(eligible), size)",
            "at": _now(at),
        },
    )
    chair = not tender.panel.filter(is_chair=True).exists()
    experts = Expert.objects.in_bulk(drawn)
    members = [
        panel_member_create(actor=actor, tender=tender, expert=experts[pk], is_chair=chair and i == 0)
        for i, pk in enumerate(drawn)
    ]
    return members


def panel_member_update(*, actor: Any, instance: PanelMember, **data: Any) -> PanelMember:
    if "tender" in data and data["tender"] != instance.tender:
        raise ValidationError({"tender": _("A panel member cannot move to another tender.")})
    _require_bureau(actor, instance.tender)
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
    _require_bureau(actor, tender)
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
