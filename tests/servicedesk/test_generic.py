"""Generic page and API tests of the one-stop service: requests, routing rules, response targets."""

from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.servicedesk import services
from uplift.servicedesk.models import ResponseTarget, RoutingRule, ServiceRequest


class TestServiceRequest(EnterpriseByCode, ViewTestCases, APITestCases):
    model = ServiceRequest
    api_basename = "servicerequest"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        cls.request_in = services.request_create(
            actor=None,
            enterprise=w.ent_in,
            topic="labelling",
            title="吊牌标注咨询",
            description="成分标注是否合规",
        )
        cls.request_out = services.request_create(
            actor=None, enterprise=w.ent_out, topic="testing", title="液压件检测", description="需要型式试验"
        )

    @classmethod
    def inside(cls, w):
        return cls.request_in

    @classmethod
    def outside(cls, w):
        return cls.request_out

    def create_data(self, w):
        return {
            "enterprise": w.ent_in,
            "topic": "testing",
            "title": "面料色牢度检测",
            "description": "新款面料需要检测色牢度",
            "channel": "counter",
        }

    def update_data(self, w, obj):
        return {
            "enterprise": obj.enterprise,
            "topic": obj.topic,
            "title": obj.title,
            "description": obj.description + "（补充：附样品照片）",
            "channel": obj.channel,
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "description": ""}, "description"


class TestResponseTarget(ViewTestCases, APITestCases):
    model = ResponseTarget
    api_basename = "responsetarget"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.target_in = services.response_target_create(
            actor=None, region_id="420000", topic="testing", response_hours=24, answer_days=5
        )
        cls.target_out = services.response_target_create(
            actor=None, region_id="430000", topic="testing", response_hours=48, answer_days=10
        )

    @classmethod
    def inside(cls, w):
        return cls.target_in

    @classmethod
    def outside(cls, w):
        return cls.target_out

    def create_data(self, w):
        return {"region": "420100", "topic": "labelling", "response_hours": 12, "answer_days": 3}

    def update_data(self, w, obj):
        return {
            "region": obj.region_id,
            "topic": obj.topic,
            "response_hours": obj.response_hours + 1,
            "answer_days": obj.answer_days,
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "response_hours": 0}, "response_hours"


class TestRoutingRule(ViewTestCases, APITestCases):
    model = RoutingRule
    api_basename = "routingrule"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        cls.rule_in = services.routing_rule_create(
            actor=None, name="武汉检测", region_id="420100", topic="testing", institution=w.inst_in
        )
        cls.rule_out = services.routing_rule_create(
            actor=None, name="长沙全部", region_id="430100", institution=w.inst_out
        )

    @classmethod
    def inside(cls, w):
        return cls.rule_in

    @classmethod
    def outside(cls, w):
        return cls.rule_out

    def create_data(self, w):
        return {
            "name": "岱家山计量",
            "region": "420100",
            "topic": "metrology",
            "station": w.station_in,
            "priority": 0,
            "is_active": True,
        }

    def update_data(self, w, obj):
        return {
            "name": obj.name,
            "region": obj.region_id,
            "topic": obj.topic,
            "institution": obj.institution,
            "priority": obj.priority + 5,
            "is_active": obj.is_active,
        }

    def invalid_data(self, w):
        # A Hunan institution cannot take Hubei's requests.
        return {**self.create_data(w), "station": None, "institution": w.inst_out}, "institution"
