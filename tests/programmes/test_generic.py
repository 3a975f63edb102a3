"""Generic page and API tests of programmes, targets and pilots."""

import datetime

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.programmes.models import PilotProject, Programme, Target
from uplift.programmes.services import target_create

#: The acceptance grade thresholds a programme form shows filled in (90 / 75 / 60 by default).
THRESHOLDS = {"excellent_from": "90", "good_from": "75", "pass_from": "60"}


class TestProgramme(ViewTestCases, APITestCases):
    model = Programme
    api_basename = "programme"
    api_lookup = "slug"

    @classmethod
    def inside(cls, w):
        return w.programme_in

    @classmethod
    def outside(cls, w):
        return w.programme_out

    def create_data(self, w):
        return {
            "slug": "wuhan-2019",
            "name": "武汉品质提升",
            "region": "420100",
            "start_date": "2019-01-01",
            "end_date": "2019-12-31",
            "budget": "1000000",
            **THRESHOLDS,
        }

    def update_data(self, w, obj):
        return {
            "slug": obj.slug,
            "name": obj.name,
            "region": obj.region_id,
            "start_date": obj.start_date,
            "end_date": obj.end_date,
            "budget": "5000000",
            "excellent_from": "92",
            "good_from": "80",
            "pass_from": "60",
        }

    def invalid_data(self, w):
        return {
            "slug": "bad-dates",
            "name": "日期颠倒",
            "region": "420000",
            "start_date": "2019-12-31",
            "end_date": "2019-01-01",
            "budget": "0",
            **THRESHOLDS,
        }, "end_date"


class TestTarget(ViewTestCases, APITestCases):
    model = Target
    api_basename = "target"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        deadline = datetime.date(2018, 12, 31)
        cls.target_in = target_create(
            actor=None,
            programme=cls.w.programme_in,
            metric="enterprises_served",
            value=10000,
            region_id="420000",
            deadline=deadline,
        )
        cls.target_out = target_create(
            actor=None,
            programme=cls.w.programme_out,
            metric="enterprises_served",
            value=5000,
            region_id="430000",
            deadline=deadline,
        )

    @classmethod
    def inside(cls, w):
        return cls.target_in

    @classmethod
    def outside(cls, w):
        return cls.target_out

    def create_data(self, w):
        return {
            "programme": w.programme_in,
            "metric": "excellence_adopters",
            "region": "420000",
            "value": "1000",
            "deadline": "2018-12-31",
        }

    def update_data(self, w, obj):
        return {
            "programme": obj.programme,
            "metric": obj.metric,
            "region": obj.region_id,
            "value": "12000",
            "deadline": obj.deadline,
        }

    def invalid_data(self, w):
        # A Hubei programme's target cannot be set for a region of Hunan.
        return {
            "programme": w.programme_in,
            "metric": "pilot_clusters",
            "region": "430100",
            "value": "3",
            "deadline": "2018-12-31",
        }, "region"


class TestPilotProject(ViewTestCases, APITestCases):
    model = PilotProject
    api_basename = "pilotproject"

    @classmethod
    def inside(cls, w):
        return w.pilot_in

    @classmethod
    def outside(cls, w):
        return w.pilot_out

    def create_data(self, w):
        from uplift.registry.services import cluster_create

        cluster = cluster_create(actor=None, name="潜江小龙虾", region_id="429005", lead_industry_id="04")
        return {"programme": w.programme_in, "cluster": cluster, "institution": w.inst_in}

    def update_data(self, w, obj):
        return {
            "programme": obj.programme,
            "cluster": obj.cluster,
            "institution": obj.institution,
            "goals": "服务100家企业",
        }

    def invalid_data(self, w):
        return {"programme": w.programme_in, "cluster": w.cluster_in, "institution": w.inst_in}, "__all__"
