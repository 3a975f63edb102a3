"""Every declared hand-over, through the real services: the right users are told, once the step
commits; never the actor, nobody out of scope, nobody when the step rolls back."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.services import membership_create, organisation_create, user_create
from uplift.delivery import services as delivery
from uplift.delivery.testing import expert_with_account
from uplift.excellence import services as excellence
from uplift.excellence.models import Framework
from uplift.excellence.testing import GBT, accepted_self_assessment, benchmark, self_assessment
from uplift.notifications.handovers import HANDOVERS
from uplift.notifications.models import Notification
from uplift.notifications.selectors import recipients, request_answerers
from uplift.procurement import services as procurement
from uplift.procurement.testing import TenderScenario, at
from uplift.registry import services as registry
from uplift.servicedesk import services as servicedesk

from .conftest import told

pytestmark = pytest.mark.django_db

COVERED: set[tuple[str, str]] = set()


def kind(label: str, verb: str) -> str:
    COVERED.add((label, verb))
    return f"{label}.{verb}"


# --- Delivery -----------------------------------------------------------------------------------


def test_an_activity_goes_to_the_officers_over_its_region_and_back_to_its_institution(w, d, committed):
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    assert told(kind("delivery.activity", "submit"), d.draft, actor=w.institution_user) == {
        w.officer,
        d.officer2,
    }  # not Hunan's officer, not the enterprise, not the submitter
    with committed():
        delivery.activity_return(actor=w.officer, activity=d.draft, reason="签到表缺页")
    assert told(kind("delivery.activity", "return"), d.draft, actor=w.officer) == {w.institution_user}
    n = Notification.objects.get(kind="delivery.activity.return")
    assert n.data == {"return_reason": "签到表缺页"}
    assert ("reason returned", "签到表缺页") in [(label.lower(), v) for label, v in n.details()]
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
        delivery.activity_approve(actor=d.officer2, activity=d.draft)
    assert told(kind("delivery.activity", "approve"), d.draft, actor=d.officer2) == {w.institution_user}
    # The second submission told the officers again, the approver among them.
    assert Notification.objects.filter(kind="delivery.activity.submit", recipient=d.officer2).count() == 2


def test_the_bureaus_own_activity_goes_to_the_other_officers(w, d, committed):
    with committed():
        activity = delivery.activity_create(
            actor=w.officer,
            kind="training",
            held_on=datetime.date(2018, 7, 1),
            place="仙桃",
            topic="标签标识培训",
            cluster=w.cluster_in,
            programme=w.programme_in,
        )
        delivery.participations_add(actor=w.officer, activity=activity, rows=[(w.ent_in.pk, 2)])
        delivery.activity_submit(actor=w.officer, activity=activity)
        delivery.activity_return(actor=d.officer2, activity=activity, reason="补充照片")
    assert told("delivery.activity.submit", activity, actor=w.officer) == {d.officer2}
    # Returned to whoever entered it: no institution delivers the bureau's own activity.
    assert told("delivery.activity.return", activity, actor=d.officer2) == {w.officer}


def test_a_problem_is_news_for_its_enterprise_until_its_correction_is_verified(w, d, committed):
    with committed():
        problem = delivery.problem_create(
            actor=w.institution_user,
            activity=d.approved,
            enterprise=w.ent_in,
            category="labelling",
            found_on=datetime.date(2018, 7, 10),
            description="洗涤标识缺失",
            deadline=datetime.date(2018, 9, 30),
        )
    assert told(kind("delivery.problem", "create"), problem, actor=w.institution_user) == {w.enterprise_user}
    assert Notification.objects.get(kind="delivery.problem.create").data == {"deadline": "2018-09-30"}
    with committed():
        delivery.problem_correct(
            actor=w.institution_user, problem=problem, root_cause="漏贴", corrective_action="补贴"
        )
        delivery.problem_reopen(actor=w.officer, problem=problem, reason="抽查仍缺")
    assert not Notification.objects.filter(kind="delivery.problem.correct").exists()  # no hand-over
    assert told(kind("delivery.problem", "reopen"), problem, actor=w.officer) == {w.enterprise_user}
    with committed():
        delivery.problem_correct(
            actor=w.institution_user, problem=problem, root_cause="漏贴", corrective_action="全检"
        )
        delivery.problem_verify(actor=w.officer, problem=problem)
    assert told(kind("delivery.problem", "verify"), problem, actor=w.officer) == {w.enterprise_user}


def test_a_benefit_claim_goes_to_the_officers_and_their_decision_back(w, d, committed):
    with committed():
        delivery.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    assert told(kind("delivery.benefit", "submit"), d.benefit, actor=w.institution_user) == {
        w.officer,
        d.officer2,
    }
    with committed():
        delivery.benefit_reject(actor=w.officer, benefit=d.benefit, reason="缺少财务凭证")
        delivery.benefit_submit(actor=w.institution_user, benefit=d.benefit)
        delivery.benefit_verify(actor=d.officer2, benefit=d.benefit)
    assert told(kind("delivery.benefit", "reject"), d.benefit, actor=w.officer) == {w.institution_user}
    assert told(kind("delivery.benefit", "verify"), d.benefit, actor=d.officer2) == {w.institution_user}


RUBRIC = [("指标完成", 30), ("服务成效", 30), ("满意度", 20), ("资料规范", 20)]


def test_acceptance_from_submission_through_the_panel_to_the_published_grade(w, d, committed):
    rubric = [
        delivery.acceptance_criterion_create(
            actor=None, programme=w.programme_in, order=n, name=name, points=p
        )
        for n, (name, p) in enumerate(RUBRIC, start=1)
    ]
    delivery.activity_approve(actor=d.officer2, activity=d.submitted)
    with committed():
        project = delivery.project_submit(actor=w.institution_user, project=d.project)
    assert told(kind("delivery.serviceproject", "submit"), project, actor=w.institution_user) == {
        w.officer,
        d.officer2,
    }
    acceptance = delivery.acceptance_create(
        actor=w.officer, project=project, held_on=datetime.date.today(), panel="专家组"
    )
    expert, expert_user = expert_with_account(w, "验收专家", "reviewer")
    with committed():
        review = delivery.acceptance_review_assign(actor=w.officer, acceptance=acceptance, expert=expert)
    assert told(kind("delivery.acceptancereview", "assign"), review, actor=w.officer) == {expert_user}
    scores = [(c.pk, Decimal(c.points) * Decimal("0.9"), "好") for c in rubric]
    with committed():
        delivery.acceptance_review_score(actor=expert_user, review=review, scores=scores)
        delivery.acceptance_review_submit(actor=expert_user, review=review, no_conflict=True)
    assert told(kind("delivery.acceptancereview", "submit"), review, actor=expert_user) == {
        w.officer,
        d.officer2,
    }
    delivery.acceptance_adopt_average(actor=w.officer, acceptance=acceptance)
    with committed():
        delivery.acceptance_grade(actor=w.officer, acceptance=acceptance)
        delivery.acceptance_publish(
            actor=w.officer, acceptance=acceptance, bulletin_number="鄂质通〔2018〕12号"
        )
    assert told(kind("delivery.acceptance", "grade"), acceptance, actor=w.officer) == {w.institution_user}
    assert told(kind("delivery.acceptance", "publish"), acceptance, actor=w.officer) == {w.institution_user}
    graded = Notification.objects.get(kind="delivery.acceptance.grade")
    assert graded.data == {"grade": "excellent"} and graded.details() == [("grade", "Excellent")]


# --- Procurement --------------------------------------------------------------------------------


def test_a_tender_tells_the_panel_and_every_bidder_of_the_award(w, committed):
    with committed():
        t = TenderScenario(w, stage="awarded")
    experts = set(t.expert_users)
    for member in t.members:
        assert told(kind("procurement.panelmember", "create"), member, actor=w.officer) <= experts
    assert Notification.objects.filter(kind="procurement.panelmember.create").count() == len(t.members)
    # Lot 1: its three bidders, the winner and the others; lot 2: its only bidder.
    award1, award2 = t.lot.award, t.lot2.award
    assert told(kind("procurement.award", "create"), award1, actor=w.officer) == set(t.bidder_users.values())
    assert told("procurement.award.create", award2, actor=w.officer) == {t.bidder_users["C"]}
    with committed():
        t.run("contract")
    assert told(kind("procurement.contract", "create"), t.contract, actor=w.officer) == {w.institution_user}


def test_questions_go_to_the_bureau_and_answers_to_who_asked(w, committed):
    t = TenderScenario(w, stage="published")
    with committed():
        question = procurement.clarification_create(
            actor=w.institution_user, tender=t.tender, question="业绩证明是否需要原件？", at=at(3, 5)
        )
    assert told(kind("procurement.clarification", "create"), question, actor=w.institution_user) == {
        w.officer
    }
    with committed():
        procurement.clarification_answer(
            actor=w.officer, clarification=question, answer="扫描件即可", at=at(3, 6)
        )
    assert told(kind("procurement.clarification", "answer"), question, actor=w.officer) == {
        w.institution_user
    }


def test_a_disqualified_bid_and_a_cancelled_tender_reach_the_bidders(w, committed):
    t = TenderScenario(w, stage="opened")
    bid = t.bids["B"]
    with committed():
        procurement.bid_disqualify(actor=w.officer, bid=bid, reason="资质证书过期")
    assert told(kind("procurement.bid", "disqualify"), bid, actor=w.officer) == {t.bidder_users["B"]}
    with committed():
        procurement.tender_cancel(actor=w.officer, tender=t.tender, reason="预算调整")
    assert told(kind("procurement.tender", "cancel"), t.tender, actor=w.officer) == set(
        t.bidder_users.values()
    )


def test_a_lot_without_a_valid_bid_fails_and_its_bidders_hear_of_it(w, committed):
    t = TenderScenario(w, stage="scored")
    # Lot 2's only bid is disqualified: the award leaves it unsuccessful.
    procurement.bid_disqualify(actor=w.officer, bid=t.bid2, reason="报价超出最高限价")
    with committed():
        procurement.tender_award(actor=w.officer, tender=t.tender, at=at(3, 25))
    assert told(kind("procurement.lot", "fail"), t.lot2, actor=w.officer) == {t.bidder_users["C"]}


# --- Excellence model ---------------------------------------------------------------------------


def test_a_self_assessment_goes_to_the_bureau_and_comes_back_to_the_enterprise(w, committed):
    assessment = self_assessment(w.ent_in, actor=w.enterprise_user)
    with committed():
        excellence.self_assessment_submit(actor=w.enterprise_user, assessment=assessment)
    assert told(kind("excellence.selfassessment", "submit"), assessment, actor=w.enterprise_user) == {
        w.officer
    }
    with committed():
        excellence.self_assessment_return(actor=w.officer, assessment=assessment, reason="4.7 结果缺数据")
    assert told(kind("excellence.selfassessment", "return"), assessment, actor=w.officer) == {
        w.enterprise_user
    }
    with committed():
        excellence.self_assessment_submit(actor=w.enterprise_user, assessment=assessment)
        excellence.self_assessment_accept(actor=w.officer, assessment=assessment)
    assert told(kind("excellence.selfassessment", "accept"), assessment, actor=w.officer) == {
        w.enterprise_user
    }


def test_an_expert_assessment_tells_the_panel_the_bureau_and_finally_the_enterprise(w, committed):
    from uplift.excellence.models import Item

    own = accepted_self_assessment(w.ent_in, datetime.date(2018, 8, 1))
    assessment = excellence.expert_assessment_create(
        actor=w.officer,
        enterprise=w.ent_in,
        framework=Framework.objects.get(code=GBT),
        year=2018,
        self_assessment=own,
        spread_threshold=20,
    )
    expert, expert_user = expert_with_account(w, "评审专家", "assessor")
    with committed():
        review = excellence.expert_assessment_assign(actor=w.officer, assessment=assessment, expert=expert)
    assert told(kind("excellence.expertreview", "assign"), review, actor=w.officer) == {expert_user}
    items = Item.objects.filter(category__framework__code=GBT)
    with committed():
        excellence.expert_review_score(
            actor=expert_user, review=review, scores=[(i.pk, 60, "核查") for i in items]
        )
        excellence.expert_review_submit(actor=expert_user, review=review, no_conflict=True)
    assert told(kind("excellence.expertreview", "submit"), review, actor=expert_user) == {w.officer}
    assessment = excellence.expert_assessment_consensus(actor=w.officer, assessment=assessment)
    with committed():
        excellence.expert_assessment_complete(actor=w.officer, assessment=assessment)
    assert told(kind("excellence.expertassessment", "complete"), assessment, actor=w.officer) == {
        w.enterprise_user
    }


def test_a_benchmark_title_and_its_withdrawal_reach_the_enterprise(w, committed):
    with committed():
        title = benchmark(w.programme_in, w.ent_in, datetime.date(2018, 12, 1))
    assert told(kind("excellence.benchmark", "approve"), title) == {w.enterprise_user}  # by the system
    with committed():
        excellence.benchmark_revoke(actor=w.officer, benchmark=title, reason="发生重大质量事故")
    assert told(kind("excellence.benchmark", "revoke"), title, actor=w.officer) == {w.enterprise_user}


# --- One-stop service ---------------------------------------------------------------------------


def staff_of(institution, username):
    """Another account of ``institution``'s staff (its organisation made if it has none yet)."""
    from uplift.accounts.models import Organisation

    org = Organisation.objects.filter(institution=institution).first() or organisation_create(
        actor=None, kind=OrganisationKind.INSTITUTION, name=institution.name, institution=institution
    )
    user = user_create(actor=None, username=username, password="Test-pass-2018")
    membership_create(actor=None, user=user, organisation=org, role=Role.INSTITUTION_STAFF)
    return user


def file_request(w, actor, **extra):
    return servicedesk.request_create(
        actor=actor,
        enterprise=extra.pop("enterprise", w.ent_in),
        topic="labelling",
        title="吊牌标注咨询",
        description="成分标注是否符合 GB 5296.4",
        **extra,
    )


def test_a_service_request_goes_to_its_stations_operator_and_its_answer_to_the_enterprise(
    w, committed, django_assert_num_queries
):
    # The Xiantao station is run by the Wuhan institution: its staff answer for it.
    station = registry.station_create(
        actor=None, name="仙桃品质服务站", region_id="429004", operator=w.inst_in
    )
    servicedesk.routing_rule_create(actor=w.officer, name="仙桃全部", region_id="429004", station=station)
    colleague = staff_of(w.inst_in, "inst2")
    outsider = staff_of(w.inst_out, "hunan_inst")  # another institution's staff: not theirs
    with committed():
        r = file_request(w, w.enterprise_user)
    assert told(kind("servicedesk.servicerequest", "create"), r, actor=w.enterprise_user) == {
        w.institution_user,
        colleague,
    }  # not the bureau, not the expert, not the other institution
    with django_assert_num_queries(1):  # whoever the assignee is: one set-based query
        assert len(recipients(request_answerers(r.pk))) == 2
    with committed():
        servicedesk.request_accept(actor=w.institution_user, request=r)
        servicedesk.request_start(actor=w.institution_user, request=r)
        servicedesk.request_answer(actor=w.institution_user, request=r, answer="按 GB 5296.4 标注纤维含量")
    # Accepting and starting are the assignee's own steps: no hand-over.
    assert not Notification.objects.filter(
        kind__in=["servicedesk.servicerequest.accept", "servicedesk.servicerequest.start"]
    ).exists()
    assert told(kind("servicedesk.servicerequest", "answer"), r, actor=w.institution_user) == {
        w.enterprise_user
    }
    with committed():
        servicedesk.request_close(actor=w.enterprise_user, request=r, satisfaction=4, comment="较及时")
    # Closed with a rating: the answerers hear their score, the actor (the enterprise) is not told.
    assert told(kind("servicedesk.servicerequest", "close"), r, actor=w.enterprise_user) == {
        w.institution_user,
        colleague,
    }
    n = Notification.objects.get(kind="servicedesk.servicerequest.close", recipient=w.institution_user)
    assert n.data == {"satisfaction": 4, "comment": "较及时"}
    assert ("satisfaction (1–5)", "4") in [(label.lower(), v) for label, v in n.details()]
    assert not Notification.objects.filter(recipient__in=[outsider, w.officer, w.expert_user]).exists()


def test_a_request_routed_by_hand_tells_its_new_assignee_and_its_withdrawal_too(w, committed):
    with committed():
        r = file_request(w, w.enterprise_user)  # no rule: unrouted, the officers route it
    assert told("servicedesk.servicerequest.create", r, actor=w.enterprise_user) == set()
    with committed():
        servicedesk.request_route(actor=w.officer, request=r, expert=w.expert_in)
    assert told(kind("servicedesk.servicerequest", "route"), r, actor=w.officer) == {w.expert_user}
    with committed():
        servicedesk.request_route(actor=w.officer, request=r, institution=w.inst_in)
    route = Notification.objects.filter(kind="servicedesk.servicerequest.route")
    assert sorted(route.values_list("recipient__username", flat=True)) == ["expert", "inst"]
    with committed():
        servicedesk.request_withdraw(actor=w.enterprise_user, request=r, reason="已自行解决")
    assert told(kind("servicedesk.servicerequest", "withdraw"), r, actor=w.enterprise_user) == {
        w.institution_user
    }
    n = Notification.objects.get(kind="servicedesk.servicerequest.withdraw")
    assert n.data == {"withdrawal_reason": "已自行解决"}


def test_an_expert_routed_by_rule_and_a_user_of_both_sides_never_told_of_their_own_step(w, committed):
    from uplift.accounts.models import Organisation

    servicedesk.routing_rule_create(
        actor=w.officer, name="湖北标签", region_id="420000", topic="labelling", expert=w.expert_in
    )
    with committed():  # filed at the counter by an officer on the enterprise's behalf
        r = file_request(w, w.officer)
    assert told("servicedesk.servicerequest.create", r, actor=w.officer) == {w.expert_user}
    with committed():
        servicedesk.request_accept(actor=w.expert_user, request=r)
        servicedesk.request_answer(actor=w.expert_user, request=r, answer="见 GB 5296.4 第 5 条")
        servicedesk.request_close(actor=w.officer, request=r, satisfaction=5)
    assert told("servicedesk.servicerequest.answer", r, actor=w.expert_user) == {w.enterprise_user}
    assert told("servicedesk.servicerequest.close", r, actor=w.officer) == {w.expert_user}
    # A refused rating rolls back: nobody is told again.
    count = Notification.objects.count()
    with committed(), pytest.raises(ValidationError):
        servicedesk.request_close(actor=w.officer, request=r, satisfaction=3)
    assert Notification.objects.count() == count
    # One person on both sides (the institution's staff and a user of the enterprise): told of
    # the other side's steps, never of their own.
    both = staff_of(w.inst_in, "both")
    membership_create(
        actor=None,
        user=both,
        organisation=Organisation.objects.get(enterprise=w.ent_in),
        role=Role.ENTERPRISE_USER,
    )
    with committed():
        r = file_request(w, w.officer, channel="phone")
        servicedesk.request_route(actor=w.officer, request=r, institution=w.inst_in)
    assert told("servicedesk.servicerequest.route", r, actor=w.officer) == {w.institution_user, both}
    with committed():
        servicedesk.request_accept(actor=both, request=r)
        servicedesk.request_answer(actor=both, request=r, answer="已电话答复")
        servicedesk.request_close(actor=both, request=r, satisfaction=3)
    assert told("servicedesk.servicerequest.answer", r, actor=both) == {w.enterprise_user}
    assert told("servicedesk.servicerequest.close", r, actor=both) == {w.institution_user}


# --- Rules --------------------------------------------------------------------------------------


def test_a_step_rolled_back_tells_no_one(w, d, committed):
    with committed():
        with pytest.raises(RuntimeError), transaction.atomic():
            delivery.activity_submit(actor=w.institution_user, activity=d.draft)
            raise RuntimeError("the page's later check failed")
        with pytest.raises(ValidationError):  # refused: audited as refused, nobody told
            delivery.activity_approve(actor=w.officer, activity=d.draft)
    assert not Notification.objects.exists()


def test_nobody_is_told_before_the_commit(w, d, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    assert callbacks and not Notification.objects.exists()


def test_disabled_or_deactivated_recipients_are_skipped(w, d, committed):
    d.officer2.is_active = False
    d.officer2.save()
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    assert told("delivery.activity.submit", d.draft, actor=w.institution_user) == {w.officer}


def test_every_declared_hand_over_is_tested_here():
    # Runs last in this module (pytest keeps file order): the tests above add what they cover.
    assert set(HANDOVERS) - COVERED == set(), "test the hand-over through its service"
