"""Who serves a region, as one filter: ``serves`` for one station, institution or expert and the
routing form's choices for all of them agree, and the form reads the same few queries however
many institutions there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from uplift.accounts.access import principal_of, region_prefix
from uplift.programmes.models import PilotProject
from uplift.programmes.services import pilot_create
from uplift.registry import services as reg
from uplift.registry.models import Expert, ServiceInstitution, ServiceStation
from uplift.servicedesk import services
from uplift.servicedesk.forms import RouteForm, serving
from uplift.servicedesk.models import serves, service_area

pytestmark = pytest.mark.django_db

#: Six-digit codes and subtree prefixes (a rule's region is checked by its prefix).
CODES = ["429004", "420102", "420100", "420600", "421100", "430102", "4201", "4290", "42", "43"]


def served_by_hand(target, code: str) -> bool:
    """What a target serves, the rule written out (as ``serves`` was, one target at a time)."""
    if isinstance(target, Expert):
        return code.startswith(target.region_id[:2])
    if code.startswith(service_area(target.region_id)):
        return True
    if not isinstance(target, ServiceInstitution):
        return False
    clusters = PilotProject.objects.filter(institution=target).values_list("cluster__region_id", flat=True)
    return any(code.startswith(region_prefix(c)) for c in clusters)


@pytest.fixture
def cast(w):
    """Beyond the World's (a Wuhan institution delivering Xiantao's pilot, Hunan's, a Wuhan
    station): a provincial station and institution, a Xiangyang institution delivering a pilot in a
    cluster registered at the province, and a provincial expert."""
    reg.station_create(actor=None, name="省级品质服务站", region_id="420000")
    reg.institution_create(
        actor=None, credit_code=w.code("420000", 21, "12"), name="湖北省标准化研究院", region_id="420000"
    )
    xiangyang = reg.institution_create(
        actor=None, credit_code=w.code("420600", 22, "12"), name="襄阳质量中心", region_id="420600"
    )
    province_cluster = reg.cluster_create(
        actor=None, name="湖北全省汽车零部件", region_id="420000", lead_industry_id="36"
    )
    pilot_create(actor=None, programme=w.programme_in, cluster=province_cluster, institution=xiangyang)
    reg.expert_create(actor=None, name="省专家", region_id="420000")


def test_serves_and_the_forms_filter_agree_with_the_rule(w, cast):
    for model in (ServiceStation, ServiceInstitution, Expert):
        targets = list(model.objects.all())
        assert len(targets) >= 3
        for code in CODES:
            expected = {t.pk for t in targets if served_by_hand(t, code)}
            assert {t.pk for t in targets if serves(t, code)} == expected, (model, code)
            assert set(serving(model.objects.all(), code).values_list("pk", flat=True)) == expected
    # The Wuhan institution delivering Xiantao's pilot serves Xiantao, not Xiangyang.
    assert serves(w.inst_in, "429004") and not serves(w.inst_in, "420600")
    assert serves(w.inst_in, "420102") and not serves(w.inst_out, "429004")


def add_institutions(w, n: int, start: int) -> None:
    """``n`` institutions: a third in Xiantao's prefecture area, a third delivering a pilot in a
    Xiantao cluster of their own, a third elsewhere in Hubei."""
    for i in range(start, start + n):
        region = ("429004", "420100", "420600")[i % 3]
        inst = reg.institution_create(
            actor=None, credit_code=w.code(region, 100 + i, "12"), name=f"机构{i}", region_id=region
        )
        if i % 3 == 1:
            cluster = reg.cluster_create(
                actor=None, name=f"仙桃集群{i}", region_id="429004", lead_industry_id="18"
            )
            pilot_create(actor=None, programme=w.programme_in, cluster=cluster, institution=inst)


def choices_queries(w, request) -> tuple[int, dict[str, int]]:
    form = RouteForm(user=w.officer, obj=request)
    with CaptureQueriesContext(connection) as queries:
        counts = {
            name: len(list(form.fields[name].queryset)) for name in ("station", "institution", "expert")
        }
    return len(queries), counts


def test_the_routing_forms_choices_take_the_same_queries_however_many_institutions(
    w, cast, django_assert_num_queries
):
    request = services.request_create(
        actor=None, enterprise=w.ent_in, topic="testing", title="检测咨询", description="送检流程"
    )
    principal_of(w.officer)  # read once per request by the middleware's first scope check
    add_institutions(w, 3, 0)
    few, counts = choices_queries(w, request)
    add_institutions(w, 30, 3)
    assert few == 3  # one per kind of assignee
    with django_assert_num_queries(few):
        _many, more = choices_queries(w, request)
    # Xiantao's area and Xiantao's pilots: 10 more of each third; the others serve Xiangyang/Wuhan.
    assert more["institution"] == counts["institution"] + 20
    assert more["station"] == counts["station"] and more["expert"] == counts["expert"]
