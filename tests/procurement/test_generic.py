"""Generic page and API tests of procurement's and delivery's records."""

import datetime
from decimal import Decimal

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.delivery.models import GradeRecord
from uplift.procurement import services
from uplift.procurement.choices import CriterionKind
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
    ScoreSheet,
    Tender,
)
from uplift.procurement.testing import OutsideScenario, TenderScenario, at, open_tender


class ProcurementCases(ViewTestCases, APITestCases):
    """The World, the Hubei example run to its contract, Hunan's procurement, a draft Hubei tender
    and an open one."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        cls.s = TenderScenario(w)
        cls.o = OutsideScenario(w)
        cls.draft = services.tender_create(
            actor=None,
            programme=w.programme_in,
            reference="HBZB-DRAFT",
            title="湖北草稿",
            clarification_deadline=at(5, 10),
            bid_deadline=at(5, 20),
            opening_at=at(5, 20, 10),
        )
        cls.draft_lot = services.lot_create(
            actor=None, tender=cls.draft, number=1, pilot=w.pilot_in, title="草稿标段", budget_ceiling=100000
        )
        cls.draft_criterion = services.criterion_create(
            actor=None, tender=cls.draft, kind=CriterionKind.PRICE, name="价格", weight=30
        )
        cls.draft_member = services.panel_member_create(actor=None, tender=cls.draft, expert=w.expert_in)
        cls.open, cls.open_lot = open_tender(w, pilots=[w.pilot_in, cls.s.pilot2])


class TestTender(ProcurementCases):
    model = Tender
    api_basename = "tender"

    @classmethod
    def inside(cls, w):
        return cls.draft

    @classmethod
    def outside(cls, w):
        return cls.o.draft

    def _data(self, w, **extra):
        return {
            "programme": w.programme_in,
            "reference": "HBZB-2019-01",
            "title": "2019年品质提升服务",
            "clarification_deadline": "2019-03-10T09:00",
            "bid_deadline": "2019-03-20T09:00",
            "opening_at": "2019-03-20T09:30",
            "standstill_days": 7,
            "price_formula": "pro_rata",
            "price_deduction": "1.00",
            "bonus_years": 3,
            "bonus_points": "2.00",
            "drop_extremes": True,
            **extra,
        }

    def create_data(self, w):
        return self._data(w)

    def update_data(self, w, obj):
        return self._data(w, reference=obj.reference, title="湖北草稿（修订）")

    def invalid_data(self, w):
        return self._data(w, opening_at="2019-03-19T09:00"), "opening_at"


class TestLot(ProcurementCases):
    model = Lot
    api_basename = "lot"

    @classmethod
    def inside(cls, w):
        return cls.draft_lot

    @classmethod
    def outside(cls, w):
        return cls.o.draft_lot

    def create_data(self, w):
        return {
            "tender": self.draft,
            "number": 2,
            "pilot": self.s.pilot2,
            "title": "汉川标段",
            "budget_ceiling": "200000",
        }

    def update_data(self, w, obj):
        return {
            "tender": obj.tender,
            "number": obj.number,
            "pilot": obj.pilot,
            "title": obj.title,
            "budget_ceiling": "120000",
        }

    def invalid_data(self, w):
        return {
            "tender": self.draft,
            "number": 3,
            "pilot": w.pilot_out,  # another programme's pilot (and not one to pick)
            "title": "错误",
            "budget_ceiling": "-5",
        }, "budget_ceiling"


class TestCriterion(ProcurementCases):
    model = Criterion
    api_basename = "criterion"

    @classmethod
    def inside(cls, w):
        return cls.draft_criterion

    @classmethod
    def outside(cls, w):
        return cls.o.draft_criterion

    def create_data(self, w):
        return {"tender": self.draft, "position": 2, "kind": "technical", "name": "技术方案", "weight": "70"}

    def update_data(self, w, obj):
        return {"tender": obj.tender, "position": 1, "kind": obj.kind, "name": obj.name, "weight": "40"}

    def invalid_data(self, w):
        # A second price criterion.
        return {"tender": self.draft, "position": 3, "kind": "price", "name": "价格2", "weight": "10"}, "kind"


class TestClarification(ProcurementCases):
    model = Clarification
    api_basename = "clarification"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.question = services.clarification_create(actor=None, tender=cls.open, question="服务期限是多久？")

    @classmethod
    def inside(cls, w):
        return cls.question

    @classmethod
    def outside(cls, w):
        return cls.o.question

    def create_data(self, w):
        return {"tender": self.open, "question": "是否接受联合体投标？"}

    def update_data(self, w, obj):
        return {"tender": obj.tender, "question": "服务期限是多久？（补充：含验收）"}

    def invalid_data(self, w):
        return {"tender": self.draft, "question": "草稿能提问吗？"}, "tender"


class TestBid(ProcurementCases):
    model = Bid
    api_basename = "bid"
    actor = "institution_user"
    audit_verbs = {"create": "submit", "update": "replace"}  # noqa: RUF012

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The institution's own sealed bid on the open tender's first lot.
        cls.own = services.bid_submit(
            actor=cls.w.institution_user, lot=cls.open_lot, price=450000, proposal="方案"
        )

    @classmethod
    def inside(cls, w):
        return cls.own

    @classmethod
    def outside(cls, w):
        return cls.o.bid

    def create_data(self, w):
        return {"lot": self.open.lots.get(number=2), "price": "250000", "proposal": "第二标段方案"}

    def update_data(self, w, obj):
        return {"lot": obj.lot, "price": "440000", "proposal": "修改后的方案"}

    def invalid_data(self, w):
        return {"lot": self.open.lots.get(number=2), "price": "500000.01", "proposal": "超出上限"}, "price"


class TestPanelMember(ProcurementCases):
    model = PanelMember
    api_basename = "panelmember"

    @classmethod
    def inside(cls, w):
        return cls.draft_member

    @classmethod
    def outside(cls, w):
        return cls.o.member

    def create_data(self, w):
        return {"tender": self.draft, "expert": self.s.experts[1], "is_chair": False}

    def update_data(self, w, obj):
        return {"tender": obj.tender, "expert": obj.expert, "is_chair": True}

    def invalid_data(self, w):
        return {"tender": self.draft, "expert": w.expert_in, "is_chair": False}, "__all__"


class TestScoreSheet(ProcurementCases):
    model = ScoreSheet
    api_basename = "scoresheet"
    editable = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.w.expert_user = cls.s.expert_users[0]

    actor = "expert_user"

    @classmethod
    def inside(cls, w):
        return cls.s.sheets[0]

    @classmethod
    def outside(cls, w):
        return cls.o.sheet


class TestAward(ProcurementCases):
    model = Award
    api_basename = "award"
    editable = False
    # Award results are published: every officer reads them, whatever the region.
    sees_everything = True

    @classmethod
    def inside(cls, w):
        return cls.s.lot.award


class TestContract(ProcurementCases):
    model = Contract
    api_basename = "contract"

    @classmethod
    def inside(cls, w):
        return cls.s.contract

    @classmethod
    def outside(cls, w):
        return cls.o.contract

    def create_data(self, w):
        award = Award.objects.get(lot=self.s.lot2)
        return {
            "award": award,
            "reference": "HBHT-2018-02",
            "amount": str(award.amount),
            "signed_on": "2018-04-03",
            "start_date": "2018-04-10",
            "end_date": "2018-12-31",
            "status": "signed",
        }

    def update_data(self, w, obj):
        return {
            "award": obj.award,
            "reference": obj.reference,
            "amount": str(obj.amount),
            "signed_on": obj.signed_on,
            "start_date": obj.start_date,
            "end_date": obj.end_date,
            "status": "completed",
        }

    def invalid_data(self, w):
        award = Award.objects.get(lot=self.s.lot2)
        return {
            "award": award,
            "reference": "HBHT-2018-03",
            "amount": str(award.amount),
            "signed_on": "2018-03-26",  # inside the standstill period
            "start_date": "2018-04-10",
            "end_date": "2018-12-31",
            "status": "signed",
        }, "signed_on"


class TestMilestone(ProcurementCases):
    model = Milestone
    api_basename = "milestone"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.milestone = services.milestone_create(
            actor=None,
            contract=cls.s.contract,
            title="调研报告",
            due_date=datetime.date(2018, 6, 30),
            amount=100000,
        )

    @classmethod
    def inside(cls, w):
        return cls.milestone

    @classmethod
    def outside(cls, w):
        return cls.o.milestone

    def create_data(self, w):
        return {
            "contract": self.s.contract,
            "title": "培训完成",
            "due_date": "2018-09-30",
            "amount": "150000",
            "status": "scheduled",
        }

    def update_data(self, w, obj):
        return {
            "contract": obj.contract,
            "title": obj.title,
            "due_date": obj.due_date,
            "amount": str(obj.amount),
            "status": "met",
            "note": "按期提交",
        }

    def invalid_data(self, w):
        return {
            "contract": self.s.contract,
            "title": "超额",
            "due_date": "2018-12-31",
            "amount": "999999",
            "status": "scheduled",
        }, "amount"


class TestPayment(ProcurementCases):
    model = Payment
    api_basename = "payment"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.payment = services.payment_create(
            actor=None, contract=cls.s.contract, paid_on=datetime.date(2018, 4, 20), amount=Decimal("120000")
        )

    @classmethod
    def inside(cls, w):
        return cls.payment

    @classmethod
    def outside(cls, w):
        return cls.o.payment

    def create_data(self, w):
        return {
            "contract": self.s.contract,
            "milestone": "",
            "paid_on": "2018-07-01",
            "amount": "80000",
            "reference": "PZ-2",
        }

    def update_data(self, w, obj):
        return {
            "contract": obj.contract,
            "milestone": "",
            "paid_on": obj.paid_on,
            "amount": "110000",
            "reference": "PZ-1",
        }

    def invalid_data(self, w):
        return {
            "contract": self.s.contract,
            "milestone": "",
            "paid_on": "2018-07-01",
            "amount": "5000000",
        }, "amount"


class TestGradeRecord(ProcurementCases):
    model = GradeRecord
    api_basename = "graderecord"

    @classmethod
    def inside(cls, w):
        return GradeRecord.objects.filter(institution=w.inst_in).order_by("pk").first()

    @classmethod
    def outside(cls, w):
        return cls.o.grade

    def create_data(self, w):
        return {
            "institution": w.inst_in,
            "project_title": "2016年计量服务",
            "programme": "",
            "grade": "good",
            "accepted_on": "2016-12-20",
            "source": "鄂质监〔2016〕12号",
        }

    def update_data(self, w, obj):
        return {
            "institution": obj.institution,
            "project_title": obj.project_title,
            "programme": "",
            "grade": obj.grade,
            "accepted_on": obj.accepted_on,
            "source": "鄂质监〔2017〕88号",
        }

    def invalid_data(self, w):
        return {
            "institution": w.inst_in,
            "project_title": "未来",
            "programme": "",
            "grade": "excellent",
            "accepted_on": "2099-01-01",
        }, "accepted_on"
