"""Generic page and API tests of delivery's records: projects, KPIs, activities, participations,
the results: problems, standards, standard work, evaluation reports, benefits; and acceptance."""

import datetime

from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.delivery import services
from uplift.delivery.models import (
    Acceptance,
    AcceptanceCriterion,
    Activity,
    Benefit,
    EvaluationReport,
    Participation,
    Problem,
    ProjectKpi,
    ServiceProject,
    Standard,
    StandardWork,
)
from uplift.delivery.testing import DeliveryScenario, day
from uplift.registry.models import Enterprise


class DeliveryCases(ViewTestCases, APITestCases):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.d = DeliveryScenario(cls.w)


class TestServiceProject(DeliveryCases):
    model = ServiceProject
    api_basename = "serviceproject"

    @classmethod
    def inside(cls, w):
        return cls.d.project

    @classmethod
    def outside(cls, w):
        return cls.d.project_out

    def create_data(self, w):
        return {
            "pilot": w.pilot_in,
            "institution": w.inst_in,
            "title": "仙桃二期服务",
            "start_date": datetime.date(2019, 1, 1),
            "end_date": datetime.date(2019, 12, 31),
            "goals": "二期服务目标",
            "enterprises_targeted": "园区企业",
            "schedule": "全年",
        }

    def update_data(self, w, obj):
        return {
            "pilot": obj.pilot,
            "institution": obj.institution,
            "title": obj.title,
            "start_date": obj.start_date,
            "end_date": obj.end_date,
            "goals": obj.goals + "；新增目标",
            "enterprises_targeted": obj.enterprises_targeted,
            "schedule": obj.schedule,
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "title": ""}, "title"


class TestProjectKpi(DeliveryCases):
    model = ProjectKpi
    api_basename = "projectkpi"

    @classmethod
    def inside(cls, w):
        return cls.d.kpi

    @classmethod
    def outside(cls, w):
        return cls.d.kpi_out

    def create_data(self, w):
        return {"project": self.d.project, "kind": "managers", "target": "40", "note": "合同附件"}

    def update_data(self, w, obj):
        return {"project": obj.project, "kind": obj.kind, "target": "12", "note": "合同约定"}

    def invalid_data(self, w):
        return {**self.create_data(w), "target": "-5"}, "target"


class TestActivity(DeliveryCases):
    model = Activity
    api_basename = "activity"
    actor = "institution_user"

    @classmethod
    def inside(cls, w):
        return cls.d.draft

    @classmethod
    def outside(cls, w):
        return cls.d.activity_out

    def create_data(self, w):
        return {
            "project": self.d.project,
            "kind": "survey",
            "held_on": day(8, 1),
            "place": "仙桃市纺织服装产业园",
            "topic": "童装企业质量现状调研",
            "description": "走访企业",
            "delivered_by": "服务中心调研组",
            "methods": [],
            "external_id": "XT-2018-001",
        }

    def update_data(self, w, obj):
        return {
            "kind": obj.kind,
            "held_on": obj.held_on,
            "place": obj.place,
            "topic": obj.topic + "（修订）",
            "region": obj.region,
            "methods": [],
        }

    def invalid_data(self, w):
        # Dated before its project began.
        return {**self.create_data(w), "held_on": day(5, 1)}, "held_on"


class TestParticipation(DeliveryCases):
    model = Participation
    api_basename = "participation"
    actor = "institution_user"

    @classmethod
    def inside(cls, w):
        return cls.d.participation

    @classmethod
    def outside(cls, w):
        return cls.d.participation_out

    def _another(self, w):
        from uplift.registry import services as reg

        other = reg.enterprise_create(
            actor=None,
            credit_code=w.code("429004", 77),
            name="仙桃锦绣服饰",
            region_id="429004",
            industry_id="18",
        )
        reg.cluster_membership_create(actor=None, cluster=w.cluster_in, enterprise=other, joined_on=day(3, 1))
        return other

    def _post(self, url, data):  # the page takes the enterprise by its credit code
        if isinstance(data.get("enterprise"), Enterprise):
            data = {**data, "enterprise": data["enterprise"].credit_code}
        return super()._post(url, data)

    def create_data(self, w):
        return {"activity": self.d.draft, "enterprise": self._another(w), "managers": 2, "note": "签到"}

    def update_data(self, w, obj):
        return {
            "activity": obj.activity,
            "enterprise": obj.enterprise,
            "managers": obj.managers + 1,
            "note": "补签",
        }

    def invalid_data(self, w):
        return {"activity": self.d.draft, "enterprise": w.ent_in, "managers": -1, "note": ""}, "managers"


class TestProblem(EnterpriseByCode, DeliveryCases):
    model = Problem
    api_basename = "problem"
    actor = "institution_user"

    @classmethod
    def inside(cls, w):
        return cls.d.problem

    @classmethod
    def outside(cls, w):
        return cls.d.problem_out

    def create_data(self, w):
        return {
            "project": self.d.project,
            "activity": self.d.approved,
            "enterprise": w.ent_in,
            "category": "process",
            "severity": "minor",
            "found_on": day(7, 11),
            "description": "缝制线迹密度不达标",
            "responsible_person": "王经理",
            "deadline": day(8, 31),
        }

    def update_data(self, w, obj):
        return {
            "activity": obj.activity,
            "enterprise": obj.enterprise,
            "category": obj.category,
            "severity": "severe",
            "found_on": obj.found_on,
            "description": obj.description + "（复查确认）",
            "deadline": obj.deadline,
        }

    def invalid_data(self, w):
        # Due before it was found.
        return {**self.create_data(w), "deadline": day(7, 1)}, "deadline"


class TestStandard(ViewTestCases, APITestCases):
    """The standards registry is public: every signed-in role reads every standard, so there is
    no out-of-scope standard to try (as for regions and industries); users with no role get 403."""

    model = Standard
    api_basename = "standard"
    sees_everything = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.d = DeliveryScenario(cls.w)

    @classmethod
    def inside(cls, w):
        return cls.d.standard

    def create_data(self, w):
        return {
            "number": "GB/T 19580-2012",
            "level": "national_rec",
            "title": "卓越绩效评价准则",
            "status": "published",
            "issued_by": "国家质量监督检验检疫总局",
            "approved_on": datetime.date(2012, 3, 9),
            "published_on": datetime.date(2012, 3, 9),
            "effective_on": datetime.date(2012, 8, 1),
        }

    def update_data(self, w, obj):
        return {
            "number": obj.number,
            "level": obj.level,
            "title": obj.title + "（第1号修改单）",
            "status": "published",
            "issued_by": obj.issued_by,
            "cluster": obj.cluster,
            "approved_on": obj.approved_on,
            "published_on": day(7, 1),
        }

    def invalid_data(self, w):
        # A group standard's number given as a local one's.
        return {**self.create_data(w), "number": "T/HBFZ 001-2018", "level": "local"}, "number"

    def test_an_enterprise_user_reads_the_registry_too(self):
        self.client.force_login(self.w.hunan_officer)
        self.assertEqual(self.client.get(self.url(self.d.standard)).status_code, 200)
        self.client.force_login(self.w.enterprise_user)
        self.assertEqual(self.client.get(self.url(self.d.standard_out)).status_code, 200)


class TestStandardWork(DeliveryCases):
    model = StandardWork
    api_basename = "standardwork"

    @classmethod
    def inside(cls, w):
        return cls.d.standard_work

    @classmethod
    def outside(cls, w):
        return cls.d.standard_work_out

    def create_data(self, w):
        standard = DeliveryScenario.approved_standard(
            "DB42/T 2345-2018", "休闲女装团体采购规范", w.cluster_in
        )
        return {"project": self.d.project, "standard": standard, "kind": "new", "started_on": day(8, 1)}

    def update_data(self, w, obj):
        return {
            "standard": obj.standard,
            "kind": "revision",
            "region": obj.region,
            "started_on": obj.started_on,
            "note": "修订第5章",
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "started_on": datetime.date.today() + datetime.timedelta(days=3)}, (
            "started_on"
        )


class TestEvaluationReport(EnterpriseByCode, DeliveryCases):
    model = EvaluationReport
    api_basename = "evaluationreport"
    actor = "institution_user"

    @classmethod
    def inside(cls, w):
        return cls.d.report

    @classmethod
    def outside(cls, w):
        return cls.d.report_out

    def create_data(self, w):
        return {
            "project": self.d.project,
            "enterprise": w.ent_in,
            "standard": self.d.standard,
            "report_number": "XT-PJ-2018-002",
            "issued_on": day(11, 1),
            "conclusion": "partly",
            "summary": "企业标准指标总体达到地方标准要求",
            "evaluator": "湖北质量服务中心评价组",
        }

    def update_data(self, w, obj):
        return {
            "enterprise": obj.enterprise,
            "standard": obj.standard,
            "report_number": obj.report_number,
            "issued_on": obj.issued_on,
            "conclusion": "does_not",
            "summary": "复核：两项指标低于地方标准",
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "issued_on": datetime.date.today() + datetime.timedelta(days=1)}, (
            "issued_on"
        )


class TestBenefit(EnterpriseByCode, DeliveryCases):
    model = Benefit
    api_basename = "benefit"
    actor = "institution_user"

    @classmethod
    def inside(cls, w):
        return cls.d.benefit

    @classmethod
    def outside(cls, w):
        return cls.d.benefit_out

    def create_data(self, w):
        return {
            "project": self.d.project,
            "enterprise": w.ent_in,
            "kind": "loss_avoided",
            "amount": "56000.00",
            "year": 2018,
            "calculation": "退货率下降2个百分点×年销售额",
            "evidence": "退货台账、销售报表",
        }

    def update_data(self, w, obj):
        return {
            "enterprise": obj.enterprise,
            "kind": obj.kind,
            "amount": "125000.00",
            "year": obj.year,
            "calculation": obj.calculation,
            "evidence": obj.evidence + "、审计报告",
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "amount": "0"}, "amount"


class AcceptanceCases(ViewTestCases, APITestCases):
    """A rubric for each programme; a second project of each pilot, submitted for acceptance, with
    its acceptance opened (Hubei's in scope, Hunan's out)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.d = d = DeliveryScenario(cls.w)
        w = cls.w
        cls.criterion = services.acceptance_criterion_create(
            actor=None, programme=w.programme_in, name="指标完成", points=60
        )
        services.acceptance_criterion_create(actor=None, programme=w.programme_in, name="服务成效", points=40)
        cls.criterion_out = services.acceptance_criterion_create(
            actor=None, programme=w.programme_out, name="指标完成", points=100
        )
        cls.submitted_in = cls.submitted_project(w.pilot_in, w.ent_in, "仙桃二期服务")
        cls.submitted_out = cls.submitted_project(w.pilot_out, w.ent_out, "长沙二期服务")
        cls.acceptance = services.acceptance_create(
            actor=None, project=cls.submitted_in, held_on=datetime.date.today(), panel="张三"
        )
        cls.acceptance_out = services.acceptance_create(
            actor=None, project=cls.submitted_out, held_on=datetime.date.today(), panel="李四"
        )
        assert d.project  # the scenario's own projects stay in progress

    @staticmethod
    def submitted_project(pilot, enterprise, title):
        project = DeliveryScenario.started(pilot, pilot.institution, title)
        DeliveryScenario.activity(project, [(enterprise.pk, 2)], stage="approved")
        return services.project_submit(actor=None, project=project)


class TestAcceptanceCriterion(AcceptanceCases):
    model = AcceptanceCriterion
    api_basename = "acceptancecriterion"
    sees_everything = True

    @classmethod
    def inside(cls, w):
        return cls.criterion

    def create_data(self, w):
        return {
            "programme": w.programme_in,
            "order": 3,
            "name": "满意度",
            "points": 10,
            "basis": "judged",
            "guidance": "回访",
        }

    def update_data(self, w, obj):
        return {
            "programme": obj.programme,
            "order": obj.order,
            "name": obj.name,
            "points": 55,
            "basis": "kpi",
            "guidance": "核对",
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "points": 101}, "points"


class TestAcceptance(AcceptanceCases):
    model = Acceptance
    api_basename = "acceptance"

    @classmethod
    def inside(cls, w):
        return cls.acceptance

    @classmethod
    def outside(cls, w):
        return cls.acceptance_out

    def create_data(self, w):
        project = self.submitted_project(w.pilot_in, w.ent_in, "仙桃三期服务")
        return {
            "project": project,
            "held_on": datetime.date.today(),
            "panel": "王五\n赵六",
            "conclusion": "同意",
        }

    def update_data(self, w, obj):
        return {"held_on": obj.held_on, "panel": obj.panel + "\n钱七", "conclusion": "同意通过验收"}

    def invalid_data(self, w):
        return {
            **self.create_data(w),
            "held_on": datetime.date.today() + datetime.timedelta(days=3),
        }, "held_on"
