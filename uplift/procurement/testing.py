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
        self.stage = "draft"
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
            if STAGES.index(name) > STAGES.index(stage):
                break
            step()
            self.stage = name

    def refresh(self) -> None:
        self.tender.refresh_from_db()
        self.lot.refresh_from_db()
        for bid in self.bids.values():
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
