"""Generic page and API tests of delivery's records: projects, KPIs, activities, participations."""

import datetime

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.delivery.models import Activity, Participation, ProjectKpi, ServiceProject
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
