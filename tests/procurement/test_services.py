"""Procurement services through the database: every transition, every refusal, the arithmetic."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from uplift.core.models import AuditEntry
from uplift.procurement import scoring, sealing, selectors, services
from uplift.procurement.choices import BidStatus, CriterionKind, LotStatus, SheetStatus, TenderStatus
from uplift.procurement.models import Bid, ScoreSheet, Tender
from uplift.procurement.testing import EXPECTED, PRICES, TenderScenario, at, open_tender


def refused(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=f"{action}_refused").order_by("seq"))


def assert_refused(fn, action: str, message: str, **kwargs):
    """``fn(**kwargs)`` is refused with ``message``, and the attempt is in the audit trail."""
    before = len(refused(action))
    with pytest.raises(ValidationError) as exc:
        fn(**kwargs)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    entries = refused(action)
    assert len(entries) == before + 1
    assert any(message in m for m in entries[-1].after["refused"])
    return exc.value


# --- The hand-computed example ------------------------------------------------------------------


def test_the_hand_computed_example_matches_to_the_cent(w):
    s = TenderScenario(w, stage="awarded")
    for letter, expected in EXPECTED.items():
        bid = s.bids[letter]
        assert bid.quality_score == Decimal(expected["quality"]), letter
        assert bid.price_score == Decimal(expected["price"]), letter
        assert bid.bonus == Decimal(expected["bonus"]), letter
        assert bid.total == Decimal(expected["total"]), letter
        assert bid.rank == expected["rank"], letter
    # A's Excellent grade decides it: without the bonus B (90.00) would beat A (88.16).
    award = s.lot.award
    assert award.bid == s.bids["A"] and award.amount == PRICES["A"]
    assert award.standstill_ends == at(3, 25) + datetime.timedelta(days=7)
    s.lot.pilot.refresh_from_db()
    assert s.lot.pilot.institution == s.bidders["A"]
    assert s.tender.status == TenderStatus.AWARDED and s.lot.status == LotStatus.AWARDED


def test_the_report_keeps_every_step(w):
    s = TenderScenario(w, stage="awarded")
    a = next(r for r in selectors.lot_results(s.lot) if r.bid_id == s.bids["A"].pk)
    technical = next(c for c in a.criteria if c.name == "技术方案")
    assert technical.points == [35, 36, 30, 38, 34]
    assert sorted(technical.kept) == [34, 35, 36]  # 30 and 38 left out
    assert technical.mean == Decimal("35.00")
    assert "2017-11-30" in a.bonus_reason


def test_with_fewer_than_five_experts_nothing_is_dropped():
    assert scoring.kept_points([Decimal(1), Decimal(9), Decimal(5), Decimal(4)], drop_extremes=True) == [
        1,
        9,
        5,
        4,
    ]
    assert scoring.kept_points([Decimal(n) for n in (1, 2, 3, 4, 5)], drop_extremes=False) == [1, 2, 3, 4, 5]


def test_price_formulas():
    kw = {"weight": Decimal(30), "deduction": Decimal(1)}
    assert scoring.price_score(Decimal(380000), Decimal(380000), formula="pro_rata", **kw) == Decimal("30.00")
    assert scoring.price_score(Decimal(450000), Decimal(380000), formula="pro_rata", **kw) == Decimal("25.33")
    # 450,000 is 18.42% above the lowest: 30 - 18.42 = 11.58.
    assert scoring.price_score(Decimal(450000), Decimal(380000), formula="deduction", **kw) == Decimal(
        "11.58"
    )
    assert scoring.price_score(Decimal(900000), Decimal(380000), formula="deduction", **kw) == Decimal("0.00")


def test_ties_go_to_the_lower_price_then_the_better_criteria_then_the_earlier_bid():
    t0 = at(3, 1)

    def r(i, total, price, quality, minutes):
        return scoring.BidResult(
            bid_id=i,
            bidder=str(i),
            price=Decimal(price),
            submitted_at=t0 + datetime.timedelta(minutes=minutes),
            quality=Decimal(quality),
            total=Decimal(total),
        )

    ranked = scoring.rank(
        [r(1, 90, 500, 60, 0), r(2, 90, 400, 55, 5), r(3, 90, 400, 58, 9), r(4, 90, 400, 58, 1)]
    )
    assert [x.bid_id for x in ranked] == [4, 3, 2, 1]
    assert [x.rank for x in ranked] == [1, 2, 3, 4]


# --- Tender transitions ---------------------------------------------------------------------------


def test_publish_needs_lots_criteria_summing_to_100_and_a_price_criterion(w):
    tender = services.tender_create(
        actor=w.officer,
        programme=w.programme_in,
        reference="HBZB-T-01",
        title="测试",
        clarification_deadline=at(3, 10),
        bid_deadline=at(3, 20),
        opening_at=at(3, 20, 10),
    )
    e = assert_refused(
        services.tender_publish,
        "procurement.tender.publish",
        "no lots",
        actor=w.officer,
        tender=tender,
        at=at(3, 1),
    )
    assert "add up to 0, not 100" in " ".join(e.messages)
    services.lot_create(
        actor=w.officer, tender=tender, number=1, pilot=w.pilot_in, title="L", budget_ceiling=1000
    )
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.PRICE, name="价格", weight=30
    )
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.TECHNICAL, name="技术", weight=60
    )
    assert_refused(
        services.tender_publish,
        "procurement.tender.publish",
        "add up to 90, not 100",
        actor=w.officer,
        tender=tender,
        at=at(3, 1),
    )
    tender.refresh_from_db()
    assert tender.status == TenderStatus.DRAFT
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.OTHER, name="其他", weight=10
    )
    assert (
        services.tender_publish(actor=w.officer, tender=tender, at=at(3, 1)).status == TenderStatus.PUBLISHED
    )


def test_a_tender_has_one_price_criterion(w):
    s = TenderScenario(w, stage="draft")
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            actor=w.officer, tender=s.tender, kind=CriterionKind.PRICE, name="价格2", weight=1
        )
    assert "one price criterion" in str(exc.value)


def test_a_published_tender_cannot_be_edited(w):
    s = TenderScenario(w, stage="published")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.tender_update(actor=w.officer, instance=s.tender, title="改")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.lot_create(
            actor=w.officer, tender=s.tender, number=9, pilot=w.pilot_in, title="x", budget_ceiling=1
        )


def test_transitions_out_of_order_are_refused_and_recorded(w):
    s = TenderScenario(w, stage="bids")
    o = w.officer
    assert_refused(
        services.tender_publish, "procurement.tender.publish", "is Published", actor=o, tender=s.tender
    )
    assert_refused(services.tender_open, "procurement.tender.open", "is Published", actor=o, tender=s.tender)
    assert_refused(
        services.tender_award, "procurement.tender.award", "is Published", actor=o, tender=s.tender
    )
    assert_refused(
        services.tender_close,
        "procurement.tender.close",
        "stays open until",
        actor=o,
        tender=s.tender,
        at=at(3, 19),
    )
    services.tender_close(actor=o, tender=s.tender, at=at(3, 20, 9, 1))
    assert_refused(
        services.tender_open,
        "procurement.tender.open",
        "before",
        actor=o,
        tender=s.tender,
        at=at(3, 20, 9, 29),
    )
    assert Tender.objects.get(pk=s.tender.pk).status == TenderStatus.CLOSED


def test_two_officers_moving_a_tender_at_once_one_wins_the_other_is_told(w):
    s = TenderScenario(w, stage="draft")
    first, second = Tender.objects.get(pk=s.tender.pk), Tender.objects.get(pk=s.tender.pk)
    services.tender_publish(actor=w.officer, tender=first, at=at(3, 1))
    # The second officer's page still showed a draft: the service re-reads it under a lock.
    assert_refused(
        services.tender_publish, "procurement.tender.publish", "is Published", actor=w.officer, tender=second
    )
    assert AuditEntry.objects.filter(action="procurement.tender.publish").count() == 1


def test_award_waits_for_every_expert_free_of_conflict(w):
    s = TenderScenario(w, stage="declared")
    member, user = s.members[0], s.expert_users[0]
    cells = {(b.pk, c.pk): (Decimal(1), "") for b in s.bids.values() for c in s._expert_criteria()}
    sheet = services.scores_save(actor=user, member=member, lot=s.lot, scores=cells)
    services.sheet_submit(actor=user, sheet=sheet)
    e = assert_refused(
        services.tender_award, "procurement.tender.award", "waiting for", actor=w.officer, tender=s.tender
    )
    assert "专家1" in " ".join(e.messages)


def test_cancel_needs_a_reason_and_not_after_award(w):
    s = TenderScenario(w, stage="published")
    assert_refused(
        services.tender_cancel,
        "procurement.tender.cancel",
        "Say why",
        actor=w.officer,
        tender=s.tender,
        reason=" ",
    )
    t = services.tender_cancel(actor=w.officer, tender=s.tender, reason="预算调整")
    assert t.status == TenderStatus.CANCELLED and t.closing_reason == "预算调整"
    assert_refused(
        services.tender_cancel,
        "procurement.tender.cancel",
        "is Cancelled",
        actor=w.officer,
        tender=t,
        reason="x",
    )


def test_a_lot_without_bids_is_unsuccessful_at_the_opening(w):
    s = TenderScenario(w, stage="published")
    services.tender_close(actor=w.officer, tender=s.tender, at=at(3, 20, 9, 1))
    t = services.tender_open(actor=w.officer, tender=s.tender, at=at(3, 20, 9, 30))
    assert t.status == TenderStatus.UNSUCCESSFUL
    assert set(t.lots.values_list("status", flat=True)) == {LotStatus.UNSUCCESSFUL}


# --- Bids ---------------------------------------------------------------------------------------


def test_bids_late_above_the_ceiling_or_not_from_an_institution_are_refused(w):
    s = TenderScenario(w, stage="published")
    inst = s.bidder_users["A"]
    submit = services.bid_submit
    assert_refused(
        submit,
        "procurement.bid.submit",
        "late bids are refused",
        actor=inst,
        lot=s.lot,
        price=1000,
        at=at(3, 20, 9, 0),
    )
    assert_refused(
        submit,
        "procurement.bid.submit",
        "above the lot's budget ceiling of 500,000.00",
        actor=inst,
        lot=s.lot,
        price=Decimal("500000.01"),
        at=at(3, 15),
    )
    assert_refused(
        submit, "procurement.bid.submit", "more than zero", actor=inst, lot=s.lot, price=0, at=at(3, 15)
    )
    assert_refused(
        submit,
        "procurement.bid.submit",
        "Only a service institution's staff",
        actor=w.officer,
        lot=s.lot,
        price=1000,
        at=at(3, 15),
    )
    assert_refused(
        submit,
        "procurement.bid.submit",
        "do not act for this institution",
        actor=inst,
        lot=s.lot,
        price=1000,
        institution=s.bidders["B"],
        at=at(3, 15),
    )
    assert not Bid.objects.exists()


def test_a_bid_for_a_closed_lot_or_a_draft_tender_is_refused(w):
    s = TenderScenario(w, stage="draft")
    assert_refused(
        services.bid_submit,
        "procurement.bid.submit",
        "not open for bids",
        actor=s.bidder_users["A"],
        lot=s.lot,
        price=1000,
        at=at(3, 15),
    )


def test_replacing_a_bid_reseals_it_with_a_new_receipt(w):
    s = TenderScenario(w, stage="bids")
    bid = s.bids["A"]
    old = bid.commitment
    new = services.bid_replace(actor=s.bidder_users["A"], instance=bid, price=Decimal("390000"), at=at(3, 19))
    assert new.pk == bid.pk and new.commitment != old and new.version == bid.version + 1
    assert sealing.unseal(new.sealed) == (Decimal("390000.00"), "A 的技术方案")
    with pytest.raises(ValidationError, match="Only the bidder"):
        services.bid_replace(actor=s.bidder_users["B"], instance=bid, price=Decimal(1), at=at(3, 19))


def test_a_withdrawn_bid_is_not_opened(w):
    s = TenderScenario(w, stage="bids")
    services.bid_withdraw(actor=s.bidder_users["C"], bid=s.bids["C"], at=at(3, 19))
    assert_refused(
        services.bid_withdraw,
        "procurement.bid.withdraw",
        "Only a submitted bid",
        actor=s.bidder_users["C"],
        bid=s.bids["C"],
        at=at(3, 19),
    )
    s.run("opened")
    s.refresh()
    assert s.bids["C"].status == BidStatus.WITHDRAWN and s.bids["C"].price is None
    assert s.bids["A"].status == BidStatus.OPENED


def test_a_sealed_bid_holds_no_readable_price_anywhere_in_the_database(w):
    s = TenderScenario(w, stage="bids")
    for letter, bid in s.bids.items():
        bid.refresh_from_db()
        assert bid.price is None and bid.proposal == ""
        assert str(int(PRICES[letter])) not in bid.sealed
    # Nor in the audit trail of the submission.
    for entry in AuditEntry.objects.filter(object_type="procurement.bid"):
        text = str(entry.after)
        assert not any(str(int(p)) in text for p in PRICES.values()), text
    # Its bidder, and only its bidder, can read it back.
    assert selectors.own_sealed_content(s.bids["A"], s.bidder_users["A"])["price"] == PRICES["A"]
    assert selectors.own_sealed_content(s.bids["A"], s.bidder_users["B"]) is None
    assert selectors.own_sealed_content(s.bids["A"], w.officer) is None


def test_the_opening_checks_every_commitment_and_disqualifies_a_tampered_bid(w):
    s = TenderScenario(w, stage="closed")
    # Someone with database access swaps C's sealed content for another valid seal.
    Bid.objects.filter(pk=s.bids["C"].pk).update(sealed=sealing.seal(price=Decimal("1000"), proposal="x"))
    s.run("opened")
    s.refresh()
    assert s.bids["A"].commitment_ok and s.bids["A"].price == PRICES["A"]
    c = s.bids["C"]
    assert c.status == BidStatus.DISQUALIFIED and c.commitment_ok is False
    assert "does not match the commitment" in c.disqualified_reason


def test_the_receipt_lets_the_bidder_recompute_the_commitment(w):
    s = TenderScenario(w, stage="bids")
    r = selectors.receipt(s.bids["B"])
    recomputed = sealing.commitment(
        tender=r["tender"],
        lot=int(r["lot"]),
        bidder=r["bidder"],
        price=PRICES["B"],
        proposal="B 的技术方案",
        salt=r["salt"],
    )
    assert recomputed == r["commitment"]


def test_disqualification_needs_an_evaluation_and_a_reason(w):
    s = TenderScenario(w, stage="opened")
    assert_refused(
        services.bid_disqualify,
        "procurement.bid.disqualify",
        "Say why",
        actor=w.officer,
        bid=s.bids["B"],
        reason="",
    )
    bid = services.bid_disqualify(actor=w.officer, bid=s.bids["B"], reason="营业执照过期")
    assert bid.status == BidStatus.DISQUALIFIED


# --- Experts ------------------------------------------------------------------------------------


def test_an_expert_scores_only_after_declaring(w):
    s = TenderScenario(w, stage="opened")
    assert_refused(
        services.scores_save,
        "procurement.scoresheet.save",
        "Declare your conflicts",
        actor=s.expert_users[0],
        member=s.members[0],
        lot=s.lot,
        scores={},
    )


def test_an_expert_in_conflict_cannot_score_the_lot(w):
    s = TenderScenario(w, stage="opened")
    member = services.conflicts_declare(
        actor=s.expert_users[1], member=s.members[1], conflicts=[s.bidders["B"]]
    )
    assert_refused(
        services.scores_save,
        "procurement.scoresheet.save",
        "declared a conflict with",
        actor=s.expert_users[1],
        member=member,
        lot=s.lot,
        scores={},
    )
    # ... and is not awaited for it.
    assert "专家1" not in selectors.missing_sheets(s.lot)


def test_an_expert_employed_by_a_bidder_is_in_conflict_without_declaring_it(w):
    from uplift.registry.services import expert_update

    s = TenderScenario(w, stage="opened")
    expert_update(actor=None, instance=s.experts[2], employer=s.bidders["C"].name)
    member = services.conflicts_declare(actor=s.expert_users[2], member=s.members[2], conflicts=[])
    assert_refused(
        services.scores_save,
        "procurement.scoresheet.save",
        "works for",
        actor=s.expert_users[2],
        member=member,
        lot=s.lot,
        scores={},
    )


def test_scores_outside_the_criterion_range_are_refused(w):
    s = TenderScenario(w, stage="declared")
    tech = s.criteria[CriterionKind.TECHNICAL]
    e = assert_refused(
        services.scores_save,
        "procurement.scoresheet.save",
        "is scored from 0 to 40",
        actor=s.expert_users[0],
        member=s.members[0],
        lot=s.lot,
        scores={(s.bids["A"].pk, tech.pk): (Decimal("40.5"), "")},
    )
    assert "技术方案" in " ".join(e.messages)
    assert not ScoreSheet.objects.filter(scores__isnull=False).exists()


def test_one_expert_cannot_score_for_another(w):
    s = TenderScenario(w, stage="declared")
    assert_refused(
        services.scores_save,
        "procurement.scoresheet.save",
        "Only the expert",
        actor=s.expert_users[1],
        member=s.members[0],
        lot=s.lot,
        scores={},
    )


def test_an_incomplete_sheet_cannot_be_submitted_and_a_submitted_one_is_final(w):
    s = TenderScenario(w, stage="declared")
    tech = s.criteria[CriterionKind.TECHNICAL]
    user, member = s.expert_users[0], s.members[0]
    sheet = services.scores_save(
        actor=user, member=member, lot=s.lot, scores={(s.bids["A"].pk, tech.pk): (Decimal(30), "")}
    )
    assert_refused(
        services.sheet_submit,
        "procurement.scoresheet.submit",
        "8 scores are missing",
        actor=user,
        sheet=sheet,
    )
    cells = {(b.pk, c.pk): (Decimal(5), "") for b in s.bids.values() for c in s._expert_criteria()}
    sheet = services.scores_save(actor=user, member=member, lot=s.lot, scores=cells)
    sheet = services.sheet_submit(actor=user, sheet=sheet)
    assert sheet.status == SheetStatus.SUBMITTED
    assert_refused(
        services.scores_save,
        "procurement.scoresheet.save",
        "can no longer be changed",
        actor=user,
        member=member,
        lot=s.lot,
        scores=cells,
    )


def test_experts_see_others_sheets_only_after_submitting_their_own(w):
    s = TenderScenario(w, stage="declared")
    cells = {(b.pk, c.pk): (Decimal(5), "") for b in s.bids.values() for c in s._expert_criteria()}
    first = services.scores_save(actor=s.expert_users[0], member=s.members[0], lot=s.lot, scores=cells)
    services.sheet_submit(actor=s.expert_users[0], sheet=first)
    second = services.scores_save(actor=s.expert_users[1], member=s.members[1], lot=s.lot, scores=cells)
    visible = set(ScoreSheet.objects.visible_to(s.expert_users[1]).values_list("pk", flat=True))
    assert visible == {second.pk}  # their own draft, not the first expert's submitted sheet
    assert set(ScoreSheet.objects.visible_to(w.officer).values_list("pk", flat=True)) == {first.pk}
    services.sheet_submit(actor=s.expert_users[1], sheet=second)
    assert set(ScoreSheet.objects.visible_to(s.expert_users[1]).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


# --- Contract -----------------------------------------------------------------------------------


def test_a_contract_waits_for_the_standstill_and_creates_the_service_project(w):
    s = TenderScenario(w, stage="awarded")
    award = s.lot.award
    data = {
        "reference": "HBHT-1",
        "amount": award.amount,
        "start_date": datetime.date(2018, 4, 10),
        "end_date": datetime.date(2018, 12, 31),
    }
    assert_refused(
        services.contract_create,
        "procurement.contract.create",
        "standstill period runs until 2018-04-01",
        actor=w.officer,
        award=award,
        signed_on=datetime.date(2018, 3, 30),
        **data,
    )
    with pytest.raises(ValidationError, match="exceeds the awarded amount"):
        services.contract_create(
            actor=w.officer,
            award=award,
            signed_on=datetime.date(2018, 4, 2),
            **{**data, "amount": award.amount + 1},
        )
    contract = services.contract_create(
        actor=w.officer, award=award, signed_on=datetime.date(2018, 4, 2), **data
    )
    assert contract.institution == s.bidders["A"]
    project = contract.project
    assert (
        project.pilot == w.pilot_in and project.institution == s.bidders["A"] and project.title == s.lot.title
    )


def test_milestones_and_payments_stay_within_the_contract_amount(w):
    s = TenderScenario(w, stage="contract")
    c = s.contract  # 400,000
    services.milestone_create(
        actor=w.officer, contract=c, title="一", due_date=datetime.date(2018, 6, 1), amount=300000
    )
    with pytest.raises(ValidationError, match="exceed the contract amount of 400,000.00"):
        services.milestone_create(
            actor=w.officer, contract=c, title="二", due_date=datetime.date(2018, 9, 1), amount=100001
        )
    services.payment_create(actor=w.officer, contract=c, paid_on=datetime.date(2018, 6, 5), amount=300000)
    with pytest.raises(ValidationError, match="300,000.00 already paid of 400,000.00"):
        services.payment_create(actor=w.officer, contract=c, paid_on=datetime.date(2018, 7, 5), amount=100001)


def test_questions_close_at_the_clarification_deadline_and_answers_are_published(w):
    s = TenderScenario(w, stage="published")
    q = services.clarification_create(
        actor=s.bidder_users["B"], tender=s.tender, question="可否分包？", at=at(3, 5)
    )
    assert q.asked_by == s.bidders["B"]
    assert_refused(
        services.clarification_create,
        "procurement.clarification.create",
        "deadline has passed",
        actor=s.bidder_users["B"],
        tender=s.tender,
        question="晚了",
        at=at(3, 11),
    )
    from uplift.procurement.models import Clarification

    # Unanswered, only its asker (and the bureau) see it; answered, every bidder does.
    assert not Clarification.objects.visible_to(s.bidder_users["C"]).filter(pk=q.pk).exists()
    services.clarification_answer(actor=w.officer, clarification=q, answer="不可分包。")
    assert Clarification.objects.visible_to(s.bidder_users["C"]).filter(pk=q.pk).exists()
    assert_refused(
        services.clarification_answer,
        "procurement.clarification.answer",
        "already been answered",
        actor=w.officer,
        clarification=q,
        answer="x",
    )


def test_an_open_tender_takes_bids_now(w):
    tender, lot = open_tender(w)
    bid = services.bid_submit(actor=w.institution_user, lot=lot, price=Decimal("100000"))
    assert bid.status == BidStatus.SUBMITTED and tender.status == TenderStatus.PUBLISHED


def test_the_bid_form_offers_only_lots_open_for_bids_and_the_tender_page_links_each(w, client):
    from uplift.procurement.forms import BidForm

    tender, lot = open_tender(w)
    closed = TenderScenario(w, stage="bids")  # its deadline is in the past
    choices = set(BidForm(user=w.institution_user).fields["lot"].queryset)
    assert lot in choices and closed.lot not in choices
    client.force_login(w.institution_user)
    page = client.get(tender.get_absolute_url()).content.decode()
    assert f"/procurement/bids/add/?lot={lot.pk}" in page
    form = client.get(f"/procurement/bids/add/?lot={lot.pk}").context["form"]
    assert str(form["lot"].value()) == str(lot.pk)


def test_another_bureau_reads_a_published_tender_but_takes_none_of_its_steps(w, client):
    """A published tender is public, so Hunan's officer can read Hubei's; every step stays
    Hubei's: refused with the reason, audited, nothing written, and no button offered."""
    bureau_only = "Only the bureau running this tender's programme"
    hunan = w.hunan_officer
    s = TenderScenario(w, stage="bids")
    assert_refused(
        services.tender_close, "procurement.tender.close", bureau_only, actor=hunan, tender=s.tender
    )
    assert_refused(
        services.tender_cancel,
        "procurement.tender.cancel",
        bureau_only,
        actor=hunan,
        tender=s.tender,
        reason="x",
    )
    client.force_login(hunan)
    page = client.get(s.tender.get_absolute_url())
    assert page.status_code == 200 and b"/close/" not in page.content and b"/cancel/" not in page.content
    assert client.post(f"/procurement/tenders/{s.tender.pk}/close/").status_code == 200  # the refusal shown
    assert client.post(f"/api/procurement/tenders/{s.tender.pk}/close/").status_code == 400
    s.run("closed")
    assert_refused(services.tender_open, "procurement.tender.open", bureau_only, actor=hunan, tender=s.tender)
    s.run("scored")
    bid = s.bids["A"]
    assert_refused(
        services.bid_disqualify, "procurement.bid.disqualify", bureau_only, actor=hunan, bid=bid, reason="x"
    )
    assert_refused(
        services.tender_award, "procurement.tender.award", bureau_only, actor=hunan, tender=s.tender
    )
    with pytest.raises(ValidationError, match=bureau_only):
        services.panel_member_create(actor=hunan, tender=s.tender, expert=s.members[0].expert)
    s.run("contract")
    contract = s.lot.award.contract
    with pytest.raises(ValidationError, match=bureau_only):
        services.contract_update(actor=hunan, instance=contract, reference="HN-1")
    with pytest.raises(ValidationError, match=bureau_only):
        services.milestone_create(actor=hunan, contract=contract, title="x", share=1)
    assert Tender.objects.get(pk=s.tender.pk).status == TenderStatus.AWARDED
    assert Bid.objects.get(pk=bid.pk).status != BidStatus.DISQUALIFIED
