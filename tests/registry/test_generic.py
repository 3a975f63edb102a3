"""Generic page and API tests of every registry model, from declared data."""

import datetime

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.registry.models import (
    ClusterMembership,
    Enterprise,
    Expert,
    IndustrialCluster,
    Industry,
    Region,
    ServiceInstitution,
    ServiceStation,
)


class TestEnterprise(ViewTestCases, APITestCases):
    model = Enterprise
    api_basename = "enterprise"

    @classmethod
    def inside(cls, w):
        return w.ent_in

    @classmethod
    def outside(cls, w):
        return w.ent_out

    def create_data(self, w):
        return {
            "credit_code": w.code("420102", 77),
            "name": "武汉测试有限公司",
            "region": "420102",
            "industry": "36",
        }

    def update_data(self, w, obj):
        return {
            "credit_code": obj.credit_code,
            "name": obj.name + "（更名）",
            "region": obj.region_id,
            "industry": obj.industry_id,
            "employees": 120,
        }

    def invalid_data(self, w):
        return {
            "credit_code": "91350100M000100Y44",
            "name": "坏代码",
            "region": "420102",
            "industry": "36",
        }, "credit_code"


class TestCluster(ViewTestCases, APITestCases):
    model = IndustrialCluster
    api_basename = "industrialcluster"

    @classmethod
    def inside(cls, w):
        return w.cluster_in

    @classmethod
    def outside(cls, w):
        return w.cluster_out

    def create_data(self, w):
        return {"name": "潜江小龙虾", "region": "429005", "lead_industry": "04"}

    def update_data(self, w, obj):
        return {
            "name": obj.name,
            "region": obj.region_id,
            "lead_industry": obj.lead_industry_id,
            "description": "省级试点",
        }

    def invalid_data(self, w):
        return {"name": "无名", "region": "999999", "lead_industry": "04"}, "region"


class TestClusterMembership(ViewTestCases, APITestCases):
    model = ClusterMembership
    api_basename = "clustermembership"

    @classmethod
    def inside(cls, w):
        return w.member_in

    @classmethod
    def outside(cls, w):
        return w.member_out

    def create_data(self, w):
        from uplift.registry.services import enterprise_create

        other = enterprise_create(
            actor=None,
            credit_code=w.code("429004", 55),
            name="仙桃新成员",
            region_id="429004",
            industry_id="18",
        )
        self._new = other
        return {"cluster": w.cluster_in, "enterprise": other, "joined_on": datetime.date(2018, 5, 1)}

    def _post(self, url, data):  # the page takes the enterprise by its credit code
        if isinstance(data.get("enterprise"), Enterprise):
            data = {**data, "enterprise": data["enterprise"].credit_code}
        return super()._post(url, data)

    def update_data(self, w, obj):
        return {"cluster": obj.cluster, "enterprise": obj.enterprise, "joined_on": datetime.date(2018, 4, 1)}

    def invalid_data(self, w):
        return {"cluster": w.cluster_in, "enterprise": w.ent_in, "joined_on": ""}, "joined_on"


class TestServiceInstitution(ViewTestCases, APITestCases):
    model = ServiceInstitution
    api_basename = "serviceinstitution"

    @classmethod
    def inside(cls, w):
        return w.inst_in

    @classmethod
    def outside(cls, w):
        return w.inst_out

    def create_data(self, w):
        return {
            "credit_code": w.code("420100", 88, "12"),
            "name": "湖北标准化研究院",
            "region": "420100",
            "cnas_number": "CNAS L1234",
        }

    def update_data(self, w, obj):
        return {
            "credit_code": obj.credit_code,
            "name": obj.name,
            "region": obj.region_id,
            "contact_person": "王工",
        }

    def invalid_data(self, w):
        return {
            "credit_code": w.code("420100", 89, "12"),
            "name": "证书号不对",
            "region": "420100",
            "cnas_number": "L-12",
        }, "cnas_number"


class TestExpert(ViewTestCases, APITestCases):
    model = Expert
    api_basename = "expert"

    @classmethod
    def inside(cls, w):
        return w.expert_in

    @classmethod
    def outside(cls, w):
        return w.expert_out

    def create_data(self, w):
        return {"name": "刘研究员", "region": "420500", "specialties": "六西格玛", "industries": ["36", "18"]}

    def update_data(self, w, obj):
        return {"name": obj.name, "region": obj.region_id, "title": "教授"}

    def invalid_data(self, w):
        return {"name": "", "region": "420500"}, "name"


class TestServiceStation(ViewTestCases, APITestCases):
    model = ServiceStation
    api_basename = "servicestation"

    @classmethod
    def inside(cls, w):
        return w.station_in

    @classmethod
    def outside(cls, w):
        return w.station_out

    def create_data(self, w):
        return {"name": "仙桃品质服务站", "region": "429004", "cluster": w.cluster_in}

    def update_data(self, w, obj):
        return {"name": obj.name, "region": obj.region_id, "phone": "0728-1234567"}

    def invalid_data(self, w):
        return {"name": "岱家山品质服务站", "region": "420102"}, "name"


class TestRegion(ViewTestCases, APITestCases):
    """Reference data: every signed-in role sees it; nobody without a role does."""

    model = Region
    api_basename = "region"
    editable = False
    actor = "officer"

    @classmethod
    def inside(cls, w):
        return Region.objects.get(code="420100")

    sees_everything = True  # every role sees regions; users with no role are checked instead

    def test_list_shows_in_scope_rows_only(self):
        self.login()
        response = self.client.get("/registry/regions/", {"q": "420100"})
        self.assertEqual(response.status_code, 200)

    test_api_list_in_scope_only = None  # 3,400 regions: the first page need not hold Wuhan

    def test_export_xlsx_holds_in_scope_rows_only(self):
        self.login()
        response = self.client.get("/registry/regions/", {"export": "xlsx", "within": "420000"})
        self.assertEqual(response.status_code, 200)


class TestIndustry(ViewTestCases, APITestCases):
    model = Industry
    api_basename = "industry"
    editable = False

    @classmethod
    def inside(cls, w):
        return Industry.objects.get(code="36")

    sees_everything = True
