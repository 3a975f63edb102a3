from decimal import Decimal

from uplift.procurement.testing import EXPECTED, TenderScenario


def test_smoke(w):
    s = TenderScenario(w)
    for letter, exp in EXPECTED.items():
        bid = s.bids[letter]
        assert (bid.quality_score, bid.price_score, bid.bonus, bid.total, bid.rank) == (
            Decimal(exp["quality"]),
            Decimal(exp["price"]),
            Decimal(exp["bonus"]),
            Decimal(exp["total"]),
            exp["rank"],
        )
