"""A tender run through its whole cycle on the test World, for procurement's tests.

:class:`TenderScenario` builds, through the services only, the hand-computed example of
docs/procurement.md: one lot, four criteria (price 30, technical 40, service plan 20,
qualifications 10), three bids, five experts, one past-grade bonus, and stops at the stage asked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.services import membership_create, organisation_create, user_create
from uplift.delivery.services import grade_record_create
from uplift.programmes.services import pilot_create
from uplift.registry import services as reg

from . import services
from .choices import CriterionKind

TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2018, month, day, hour, minute, tzinfo=TZ)


STAGES = ("draft", "published", "bids", "closed", "opened", "declared", "scored", "awarded", "contract")

#: The hand-computed example: each bidder's price and each expert's points per criterion.
PRICES = {"A": Decimal("400000"), "B": Decimal("450000"), "C": Decimal("380000")}
POINTS = {
    "technical": {"A": [35, 36, 30, 38, 34], "B": [37, 39, 36, 38, 40], "C": [30, 32, 31, 29, 33]},
    "service_plan": {"A": [16, 17, 15, 18, 16], "B": [18, 17, 19, 18, 16], "C": [15, 14, 16, 15, 15]},
    "qualification": {"A": [8, 9, 8, 7, 9], "B": [9, 9, 10, 8, 9], "C": [7, 8, 7, 7, 6]},
}
#: What the rules of uplift.procurement.scoring make of it, worked out by hand.
EXPECTED = {
    "A": {"quality": "59.66", "price": "28.50", "bonus": "2.00", "total": "90.16", "rank": 1},
    "B": {"quality": "64.67", "price": "25.33", "bonus": "0.00", "total": "90.00", "rank": 2},
    "C": {"quality": "53.00", "price": "30.00", "bonus": "0.00", "total": "83.00", "rank": 3},
}


class TenderScenario:
    """The Hubei tender of the example, on ``w``, run up to ``stage``."""

    def __init__(self, w: Any, stage: str = "contract") -> None:
        self.w = w
        officer = w.officer
        self.tender = services.tender_create(
            actor=officer,
            programme=w.programme_in,
            reference="HBZB-2018-01",
            title="仙桃休闲女装品质提升服务采购",
            clarification_deadline=at(3, 10),
            bid_deadline=at(3, 20),
            opening_at=at(3, 20, 9, 30),
        )
        self.lot = services.lot_create(
            actor=officer,
            tender=self.tender,
            number=1,
            pilot=w.pilot_in,
            title="仙桃休闲女装试点服务",
            budget_ceiling=Decimal("500000"),
        )
        # A second lot, for the Hanchuan children's vehicles cluster: one bid (C), scored too.
        cluster2 = reg.cluster_create(
            actor=None, name="汉川小童车", region_id="420984", lead_industry_id="24"
        )
        self.pilot2 = pilot_create(actor=None, programme=w.programme_in, cluster=cluster2)
        self.lot2 = services.lot_create(
            actor=officer,
            tender=self.tender,
            number=2,
            pilot=self.pilot2,
            title="汉川小童车试点服务",
            budget_ceiling=Decimal("300000"),
        )
        self.criteria = {}
        for position, (kind, name, weight) in enumerate(
            [
                (CriterionKind.PRICE, "价格", 30),
                (CriterionKind.TECHNICAL, "技术方案", 40),
                (CriterionKind.SERVICE_PLAN, "服务方案", 20),
                (CriterionKind.QUALIFICATION, "资质与业绩", 10),
            ],
            start=1,
        ):
            self.criteria[kind] = services.criterion_create(
                actor=officer, tender=self.tender, kind=kind, name=name, weight=weight, position=position
            )
        # Bidders: A is the World's Hubei institution, with an Excellent grade in 2017.
        self.bidders = {"A": w.inst_in}
        self.bidder_users = {"A": w.institution_user}
        for letter, serial in (("B", 31), ("C", 32)):
            inst = reg.institution_create(
                actor=None,
                credit_code=w.code("420100", serial, "91"),
                name=f"武汉{letter}质量技术服务有限公司",
                region_id="420100",
            )
            org = organisation_create(
                actor=None, kind=OrganisationKind.INSTITUTION, name=inst.name, institution=inst
            )
            user = user_create(actor=None, username=f"bidder{letter.lower()}", password="Test-pass-2018")
            membership_create(actor=None, user=user, organisation=org, role=Role.INSTITUTION_STAFF)
            self.bidders[letter], self.bidder_users[letter] = inst, user
        grade_record_create(
            actor=None,
            institution=self.bidders["A"],
            project_title="2017年质量诊断服务",
            grade="excellent",
            accepted_on=datetime.date(2017, 11, 30),
        )
        grade_record_create(
            actor=None,
            institution=self.bidders["B"],
            project_title="2017年标准化服务",
            grade="good",
            accepted_on=datetime.date(2017, 12, 15),
        )
        # Five experts; the first is the World's, with a user to sign in as.
        panel_org = organisation_create(actor=None, kind=OrganisationKind.EXPERT_PANEL, name="湖北专家库")
        self.experts = [w.expert_in]
        for i in range(4):
            self.experts.append(reg.expert_create(actor=None, name=f"专家{i + 1}", region_id="420100"))
        self.expert_users = []
        for i, expert in enumerate(self.experts):
            user = user_create(actor=None, username=f"expert{i}", password="Test-pass-2018")
            membership_create(actor=None, user=user, organisation=panel_org, role=Role.EXPERT)
            reg.expert_update(actor=None, instance=expert, user=user)
            self.expert_users.append(user)
        self.members = [
            services.panel_member_create(actor=officer, tender=self.tender, expert=e, is_chair=(i == 0))
            for i, e in enumerate(self.experts)
        ]
        self.bids: dict[str, Any] = {}
        self.sheets: list[Any] = []
        self.contract = None
        self.run(stage)

    def reached(self, stage: str) -> bool:
        return STAGES.index(self.stage) >= STAGES.index(stage)

    def run(self, stage: str) -> None:
        """Go on from the stage reached to ``stage``."""
        self.stage = getattr(self, "stage", "draft")
        steps = [
            ("published", self._publish),
            ("bids", self._bid),
            ("closed", self._close),
            ("opened", self._open),
            ("declared", self._declare),
            ("scored", self._score),
            ("awarded", self._award),
            ("contract", self._contract),
        ]
        for name, step in steps:
            if STAGES.index(name) <= STAGES.index(self.stage):
                continue
            if STAGES.index(name) > STAGES.index(stage):
                break
            step()
            self.stage = name

    def refresh(self) -> None:
        self.tender.refresh_from_db()
        self.lot.refresh_from_db()
        self.lot2.refresh_from_db()
        for bid in [*self.bids.values(), *([self.bid2] if hasattr(self, "bid2") else [])]:
            bid.refresh_from_db()

    def _publish(self) -> None:
        self.tender = services.tender_publish(actor=self.w.officer, tender=self.tender, at=at(3, 1))

    def _bid(self) -> None:
        for letter, price in PRICES.items():
            self.bids[letter] = services.bid_submit(
                actor=self.bidder_users[letter],
                lot=self.lot,
                price=price,
                proposal=f"{letter} 的技术方案",
                at=at(3, 15 + len(self.bids)),
            )
        self.bid2 = services.bid_submit(
            actor=self.bidder_users["C"],
            lot=self.lot2,
            price=Decimal("280000"),
            proposal="C 的方案",
            at=at(3, 19),
        )

    def _close(self) -> None:
        self.tender = services.tender_close(actor=self.w.officer, tender=self.tender, at=at(3, 20, 9, 1))

    def _open(self) -> None:
        self.tender = services.tender_open(actor=self.w.officer, tender=self.tender, at=at(3, 20, 9, 30))
        self.refresh()

    def _declare(self) -> None:
        self.members = [
            services.conflicts_declare(actor=user, member=member, conflicts=[], at=at(3, 21))
            for member, user in zip(self.members, self.expert_users, strict=True)
        ]

    def _score(self) -> None:
        for i, (member, user) in enumerate(zip(self.members, self.expert_users, strict=True)):
            cells = {}
            for kind, by_bidder in POINTS.items():
                for letter, points in by_bidder.items():
                    cells[(self.bids[letter].pk, self.criteria[kind].pk)] = (Decimal(points[i]), "")
            sheet = services.scores_save(actor=user, member=member, lot=self.lot, scores=cells)
            self.sheets.append(services.sheet_submit(actor=user, sheet=sheet, at=at(3, 22)))
            cells2 = {
                (self.bid2.pk, c.pk): (Decimal(c.weight) * Decimal("0.8"), "")
                for c in self._expert_criteria()
            }
            sheet2 = services.scores_save(actor=user, member=member, lot=self.lot2, scores=cells2)
            services.sheet_submit(actor=user, sheet=sheet2, at=at(3, 22))

    def _expert_criteria(self):
        return [c for kind, c in self.criteria.items() if kind != CriterionKind.PRICE]

    def _award(self) -> None:
        self.tender = services.tender_award(actor=self.w.officer, tender=self.tender, at=at(3, 25))
        self.refresh()

    def _contract(self) -> None:
        self.contract = services.contract_create(
            actor=self.w.officer,
            award=self.lot.award,
            reference="HBHT-2018-01",
            amount=self.lot.award.amount,
            signed_on=datetime.date(2018, 4, 2),
            start_date=datetime.date(2018, 4, 10),
            end_date=datetime.date(2018, 12, 31),
        )


class OutsideScenario:
    """Hunan's procurement, out of the Hubei officer's scope: a draft tender with a lot and a
    criterion; an open tender with a sealed bid, a question and a panel seat; and a finished tender
    with its award, contract (service project), milestone and payment."""

    def __init__(self, w: Any) -> None:
        p, inst, expert = w.programme_out, w.inst_out, w.expert_out
        dates = {
            "clarification_deadline": at(3, 10),
            "bid_deadline": at(3, 20),
            "opening_at": at(3, 20, 9, 30),
        }
        self.draft = services.tender_create(
            actor=None, programme=p, reference="HNZB-DRAFT", title="湖南草稿", **dates
        )
        cluster2 = reg.cluster_create(
            actor=None, name="株洲硬质合金", region_id="430200", lead_industry_id="32"
        )
        pilot2 = pilot_create(actor=None, programme=p, cluster=cluster2)
        self.draft_lot = services.lot_create(
            actor=None, tender=self.draft, number=1, pilot=pilot2, title="株洲试点", budget_ceiling=100000
        )
        self.draft_criterion = services.criterion_create(
            actor=None, tender=self.draft, kind=CriterionKind.PRICE, name="价格", weight=40
        )
        self.done = services.tender_create(
            actor=None, programme=p, reference="HNZB-2018-01", title="湖南工程机械", **dates
        )
        self.lot = services.lot_create(
            actor=None, tender=self.done, number=1, pilot=w.pilot_out, title="长沙试点", budget_ceiling=400000
        )
        services.criterion_create(
            actor=None, tender=self.done, kind=CriterionKind.PRICE, name="价格", weight=50
        )
        tech = services.criterion_create(
            actor=None, tender=self.done, kind=CriterionKind.TECHNICAL, name="技术", weight=50
        )
        self.done = services.tender_publish(actor=None, tender=self.done, at=at(3, 1))
        self.question = services.clarification_create(
            actor=None, tender=self.done, question="服务期多长？", asked_by=inst, at=at(3, 5)
        )
        self.bid = services.bid_submit(actor=None, lot=self.lot, price=350000, institution=inst, at=at(3, 15))
        self.member = services.panel_member_create(actor=None, tender=self.done, expert=expert)
        self.done = services.tender_close(actor=None, tender=self.done, at=at(3, 21))
        self.done = services.tender_open(actor=None, tender=self.done, at=at(3, 21))
        self.member = services.conflicts_declare(actor=None, member=self.member, conflicts=[], at=at(3, 21))
        self.sheet = services.scores_save(
            actor=None, member=self.member, lot=self.lot, scores={(self.bid.pk, tech.pk): (Decimal(40), "")}
        )
        self.sheet = services.sheet_submit(actor=None, sheet=self.sheet, at=at(3, 22))
        self.done = services.tender_award(actor=None, tender=self.done, at=at(3, 25))
        self.lot.refresh_from_db()
        self.award = self.lot.award
        self.contract = services.contract_create(
            actor=None,
            award=self.award,
            reference="HNHT-2018-01",
            amount=self.award.amount,
            signed_on=datetime.date(2018, 4, 2),
            start_date=datetime.date(2018, 4, 10),
            end_date=datetime.date(2018, 12, 31),
        )
        self.project = self.contract.project
        self.milestone = services.milestone_create(
            actor=None,
            contract=self.contract,
            title="调研报告",
            due_date=datetime.date(2018, 6, 30),
            amount=100000,
        )
        self.payment = services.payment_create(
            actor=None, contract=self.contract, paid_on=datetime.date(2018, 7, 5), amount=100000
        )
        self.grade = grade_record_create(
            actor=None,
            institution=inst,
            project_title="2017年湖南项目",
            grade="good",
            accepted_on=datetime.date(2017, 6, 1),
        )


def open_tender(w: Any, *, reference: str = "HBZB-OPEN", pilots: list[Any] | None = None) -> tuple[Any, Any]:
    """A Hubei tender open for bids and questions now (deadlines a month ahead), a lot per pilot
    (by default the World's), each with a ceiling of 500,000; returns it and its first lot."""
    from django.utils import timezone

    now = timezone.now()
    tender = services.tender_create(
        actor=None,
        programme=w.programme_in,
        reference=reference,
        title="开放中的招标",
        clarification_deadline=now + datetime.timedelta(days=20),
        bid_deadline=now + datetime.timedelta(days=30),
        opening_at=now + datetime.timedelta(days=30, hours=1),
    )
    lots = [
        services.lot_create(
            actor=None, tender=tender, number=i, pilot=pilot, title=f"开放标段{i}", budget_ceiling=500000
        )
        for i, pilot in enumerate(pilots or [w.pilot_in], start=1)
    ]
    services.criterion_create(actor=None, tender=tender, kind=CriterionKind.PRICE, name="价格", weight=30)
    services.criterion_create(actor=None, tender=tender, kind=CriterionKind.TECHNICAL, name="技术", weight=70)
    services.tender_publish(actor=None, tender=tender)
    tender.refresh_from_db()
    return tender, lots[0]
