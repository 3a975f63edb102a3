"""The evaluation arithmetic of one lot, free of the database so it can be checked by hand.

Rules (stated in the evaluation report, and in docs/procurement.md):

1. **Expert criteria**: per bid and criterion, the mean of the experts' points; with five or more
   experts and ``drop_extremes``, one highest and one lowest score are left out first. Each mean is
   rounded to the cent (half up).
2. **Price**: the lowest valid price gets the full weight. *Pro rata*: weight × lowest ÷ price.
   *Deduction*: weight − deduction × (price − lowest) ÷ lowest × 100, never below 0. Rounded to
   the cent.
3. **Bonus**: the tender's bonus points when the bidder's latest acceptance grade within the
   look-back years is Excellent.
4. **Total** = the rounded criterion means + the price score + the bonus.
5. **Ranking**: higher total first; on a tie, the lower price; then the higher score on the expert
   criteria; then the earlier submission. Disqualified bids are not ranked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class CriterionScore:
    criterion_id: int
    name: str
    weight: Decimal
    points: list[Decimal]  # every expert's points, as given
    kept: list[Decimal]  # those averaged
    mean: Decimal


@dataclass
class BidResult:
    bid_id: int
    bidder: str
    price: Decimal
    submitted_at: datetime.datetime
    criteria: list[CriterionScore] = field(default_factory=list)
    quality: Decimal = Decimal(0)
    price_score: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    bonus_reason: str = ""
    total: Decimal = Decimal(0)
    rank: int | None = None


def kept_points(points: list[Decimal], *, drop_extremes: bool) -> list[Decimal]:
    """The points averaged: all, or without one highest and one lowest when there are 5 or more."""
    if drop_extremes and len(points) >= 5:
        return sorted(points)[1:-1]
    return list(points)


def mean(points: list[Decimal]) -> Decimal:
    return cents(sum(points, Decimal(0)) / len(points)) if points else Decimal(0)


def price_score(
    price: Decimal, lowest: Decimal, *, weight: Decimal, formula: str, deduction: Decimal
) -> Decimal:
    if price <= 0 or lowest <= 0:
        return Decimal(0)
    if formula == "deduction":
        above = (price - lowest) / lowest * 100
        return cents(max(Decimal(0), weight - deduction * above))
    return cents(weight * lowest / price)


def rank(results: list[BidResult]) -> list[BidResult]:
    """Order ``results`` by the ranking rule and number them 1, 2, 3..."""
    ordered = sorted(results, key=lambda r: (-r.total, r.price, -r.quality, r.submitted_at, r.bid_id))
    for i, r in enumerate(ordered, start=1):
        r.rank = i
    return ordered
