"""The Hubei procurement demo: 12 tenders, ¥5,000,000, 12 institutions, and bids that open true.

Building the demo takes several seconds, so one test builds it once and checks it all.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from uplift.core.demo import DemoContext, build_demo
from uplift.core.models import AuditEntry
from uplift.delivery.models import GradeRecord, ServiceProject
from uplift.procurement import demo, sealing
from uplift.procurement.choices import BidStatus, SheetStatus, TenderStatus
from uplift.procurement.models import (
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
from uplift.procurement.selectors import conflict_reason
from uplift.registry.models import Expert, ServiceInstitution
from uplift.registry.validators import validate_credit_code

pytestmark = pytest.mark.django_db

COUNTED = [
    Tender,
    Lot,
    Criterion,
    Clarification,
    Bid,
    PanelMember,
    ScoreSheet,
    Score,
    Award,
    Contract,
    Milestone,
    Payment,
    ServiceProject,
    GradeRecord,
    ServiceInstitution,
    Expert,
]


def figures(*args):
    out = io.StringIO()
    call_command("figures", "--json", "--programme", "hubei-2018", *args, stdout=out)
    return json.loads(out.getvalue())


def counts():
    return {
        **{model.__name__: model.objects.count() for model in COUNTED},
        "audit": AuditEntry.objects.filter(action__regex=r"^(procurement|delivery)\.").count(),
    }


def test_demo_procurement_of_the_twelve_pilots():
    build_demo()

    # 12 tenders of one lot each, all awarded; their ceilings are the ¥5,000,000 of the article.
    tenders = Tender.objects.filter(programme__slug="hubei-2018", reference__startswith="HBZB-2018-")
    assert sorted(tenders.values_list("reference", flat=True)) == [f"HBZB-2018-{n:02d}" for n in range(1, 13)]
    assert set(tenders.values_list("status", flat=True)) == {TenderStatus.AWARDED}
    lots = Lot.objects.filter(tender__in=tenders)
    assert lots.count() == 12 and lots.values("pilot").distinct().count() == 12
    assert lots.aggregate(s=Sum("budget_ceiling"))["s"] == Decimal("5000000.00")

    for tender in tenders:
        lot = tender.lots.get()
        bids = list(lot.bids.select_related("institution"))
        assert 2 <= len(bids) <= 5, tender.reference
        assert tender.opened_at <= tender.awarded_at
        panel = list(tender.panel.select_related("expert"))
        assert 3 <= len(panel) <= 5, tender.reference
        bidders = {b.institution.name for b in bids}
        for member in panel:
            assert member.declared_at is not None and member.declared_at <= tender.awarded_at
            assert member.expert.employer not in bidders
            assert member.expert.region_id.startswith("42")
            scored = member.sheets.filter(lot=lot, status=SheetStatus.SUBMITTED).exists()
            assert scored == (conflict_reason(member, lot) is None), (tender.reference, member)
        # The award went to the top-ranked bid, and the pilot's institution follows it.
        award = lot.award
        assert award.bid.rank == 1 and award.amount == award.bid.price <= lot.budget_ceiling
        assert lot.pilot.institution_id == award.bid.institution_id
        contract = award.contract
        assert contract.amount == award.amount
        assert contract.signed_on >= award.standstill_ends.date()
        assert contract.institution_id == award.bid.institution_id
        assert 2 <= contract.milestones.count() <= 3
        assert contract.milestones.aggregate(s=Sum("amount"))["s"] == contract.amount
        assert contract.payments.count() == 1
        assert contract.project.pilot_id == lot.pilot_id

    # Every bid's sealed content opens, matches the commitment on its receipt and the opened price.
    bids = Bid.objects.filter(lot__in=lots).select_related("lot__tender", "institution")
    assert bids.count() >= 24
    for bid in bids:
        price, proposal = sealing.unseal(bid.sealed)
        assert (price, proposal) == (bid.price, bid.proposal)
        assert bid.status == BidStatus.OPENED and bid.commitment_ok
        assert bid.commitment == sealing.commitment(
            tender=bid.lot.tender.reference,
            lot=bid.lot.number,
            bidder=bid.institution.credit_code,
            price=price,
            proposal=proposal,
            salt=bid.salt,
        )
    # The excellent-grade bonus shows in some tenders, won or not.
    assert bids.filter(bonus__gt=0).values("lot").distinct().count() >= 3
    assert bids.filter(bonus__gt=0, rank__gt=1).exists()
    assert GradeRecord.objects.filter(accepted_on__lt=datetime.date(2018, 1, 1)).count() >= 5

    # 12 different institutions; Xiantao's is the Shanghai company (a 31xxxx credit code).
    contracts = Contract.objects.filter(award__lot__in=lots)
    assert contracts.values("institution").distinct().count() == 12
    xiantao = contracts.select_related("institution").get(award__lot__pilot__cluster__name="仙桃休闲女装")
    assert xiantao.institution.region_id.startswith("31")
    validate_credit_code(xiantao.institution.credit_code)
    assert xiantao.institution.credit_code[2:8] == xiantao.institution.region_id

    assert Clarification.objects.filter(tender__in=tenders).exclude(answer="").count() >= 2
    # The demo's expert login has panels to show.
    assert PanelMember.objects.filter(tender__in=tenders, expert__user__username="expert.chen").count() == 2
    follow_up = Tender.objects.get(reference=demo.FOLLOW_UP)
    assert follow_up.status == TenderStatus.DRAFT and follow_up.lots.exists()

    # The figures, computed from these records; the draft counts nowhere.
    data = figures()
    total = contracts.aggregate(s=Sum("amount"))["s"]
    assert data["tenders"] == {"value": 12, "target": None, "unit": "tenders"}
    assert data["institutions_contracted"] == {"value": 12, "target": None, "unit": "institutions"}
    assert data["procurement_budget_yuan"] == {"value": 5000000, "target": None, "unit": "yuan"}
    assert data["contracted_amount_yuan"]["value"] == float(total)
    assert data["contracted_amount_yuan"]["unit"] == "yuan"
    # Scoped by the pilot's cluster and by its region.
    for scoped in (figures("--cluster", "仙桃休闲女装"), figures("--region", "429004")):
        assert scoped["tenders"]["value"] == 1
        assert scoped["institutions_contracted"]["value"] == 1
        assert scoped["procurement_budget_yuan"]["value"] == demo.CEILINGS["仙桃休闲女装"]
        assert scoped["contracted_amount_yuan"]["value"] == float(xiantao.amount)
    assert figures("--region", "421100")["tenders"]["value"] == 1  # Huanggang: Qichun's tender

    # Running the builder again changes nothing.
    before = counts()
    ctx = DemoContext()
    demo.build(ctx)
    assert ctx.log == ["procurement: already built"]
    build_demo()
    assert counts() == before
