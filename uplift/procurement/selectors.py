"""Reads of procurement: evaluation results, the past-grade bonus, what a bidder may read of its bid."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.delivery.choices import Grade
from uplift.delivery.models import GradeRecord

from . import scoring, sealing
from .choices import PUBLIC_STATES, BidStatus, CriterionKind, SheetStatus
from .models import Bid, Criterion, Lot, ScoreSheet, Tender


def latest_grade(institution_id: int, *, on: datetime.date, years: int) -> GradeRecord | None:
    """The institution's latest acceptance grade dated within ``years`` before ``on``."""
    since = (
        on.replace(year=on.year - years)
        if not (on.month == 2 and on.day == 29)
        else on.replace(year=on.year - years, day=28)
    )
    return (
        GradeRecord.objects.filter(institution_id=institution_id, accepted_on__gte=since, accepted_on__lte=on)
        .order_by("-accepted_on", "-pk")
        .first()
    )


def bonus_for(tender: Tender, institution_id: int) -> tuple[Decimal, str]:
    """The past-grade bonus of a bidder in ``tender`` and why (or why not)."""
    on = (tender.opened_at or tender.bid_deadline).date()
    grade = latest_grade(institution_id, on=on, years=tender.bonus_years)
    if grade is None:
        return Decimal(0), _("No acceptance grade within %(years)s years.") % {"years": tender.bonus_years}
    reason = _("Latest grade %(grade)s (%(project)s, %(date)s).") % {
        "grade": grade.get_grade_display(),
        "project": grade.project_title,
        "date": grade.accepted_on.isoformat(),
    }
    return (tender.bonus_points if grade.grade == Grade.EXCELLENT else Decimal(0)), reason


def expert_criteria(tender: Tender) -> list[Criterion]:
    return [c for c in tender.criteria.all() if c.kind != CriterionKind.PRICE]


def lot_results(lot: Lot) -> list[scoring.BidResult]:
    """Every valid bid of ``lot`` scored and ranked from the submitted score sheets."""
    tender = lot.tender
    criteria = list(tender.criteria.all())
    price_criterion = next((c for c in criteria if c.kind == CriterionKind.PRICE), None)
    others = [c for c in criteria if c.kind != CriterionKind.PRICE]
    bids = list(lot.bids.filter(status=BidStatus.OPENED).select_related("institution"))
    points: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    sheets = ScoreSheet.objects.filter(lot=lot, status=SheetStatus.SUBMITTED)
    for bid_id, criterion_id, value in (
        sheets.values_list("scores__bid_id", "scores__criterion_id", "scores__points")
        .exclude(scores__bid_id=None)
        .order_by("member_id", "scores__bid_id", "scores__criterion_id")
    ):
        points[(bid_id, criterion_id)].append(value)
    lowest = min((b.price for b in bids), default=Decimal(0))
    results = []
    for bid in bids:
        r = scoring.BidResult(
            bid_id=bid.pk, bidder=str(bid.institution), price=bid.price, submitted_at=bid.submitted_at
        )
        for c in others:
            given = points.get((bid.pk, c.pk), [])
            kept = scoring.kept_points(given, drop_extremes=tender.drop_extremes)
            r.criteria.append(scoring.CriterionScore(c.pk, c.name, c.weight, given, kept, scoring.mean(kept)))
        r.quality = sum((cs.mean for cs in r.criteria), Decimal(0))
        if price_criterion is not None:
            r.price_score = scoring.price_score(
                bid.price,
                lowest,
                weight=price_criterion.weight,
                formula=tender.price_formula,
                deduction=tender.price_deduction,
            )
        r.bonus, r.bonus_reason = bonus_for(tender, bid.institution_id)
        r.total = r.quality + r.price_score + r.bonus
        results.append(r)
    return scoring.rank(results)


def missing_sheets(lot: Lot) -> list[str]:
    """The panel members who may score ``lot`` and have not submitted their sheet."""
    from .services import conflict_reason

    submitted = set(
        ScoreSheet.objects.filter(lot=lot, status=SheetStatus.SUBMITTED).values_list("member_id", flat=True)
    )
    return [
        str(m.expert)
        for m in lot.tender.panel.select_related("expert")
        if m.pk not in submitted and conflict_reason(m, lot) is None
    ]


def own_sealed_content(bid: Bid, user: Any) -> dict[str, Any] | None:
    """A sealed bid's price and proposal for its own bidder; None for anyone else.

    The one place a bid is unsealed before the opening: its bidder checking what it sent.
    """
    if bid.status != BidStatus.SUBMITTED or bid.institution_id not in principal_of(user).institution_ids:
        return None
    try:
        price, proposal = sealing.unseal(bid.sealed)
    except sealing.SealBroken:
        return None
    return {"price": price, "proposal": proposal}


def receipt(bid: Bid) -> dict[str, str]:
    """What the bidder's receipt shows: enough to recompute the commitment."""
    return {
        "tender": bid.lot.tender.reference,
        "lot": str(bid.lot.number),
        "bidder": bid.institution.credit_code,
        "submitted_at": bid.submitted_at.isoformat(),
        "salt": bid.salt,
        "commitment": bid.commitment,
    }


def public_tenders() -> QuerySet[Tender]:
    """Tenders anyone may read, signed in or not: every one past its draft."""
    return Tender.objects.filter(status__in=PUBLIC_STATES).select_related("programme")
