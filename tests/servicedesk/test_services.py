"""The one-stop service through the database: the workflow, routing by the most specific rule,
scope, overdue flags, the dashboard figures against a hand computation, and every refusal."""

import datetime
import io
import statistics

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.services import membership_create, organisation_create, user_create
from uplift.core.models import AuditEntry
from uplift.core.services import attachment_add
from uplift.delivery.testing import expert_with_account
from uplift.registry import services as reg
from uplift.servicedesk import selectors, services
from uplift.servicedesk.choices import RequestStatus
from uplift.servicedesk.filtersets import ServiceRequestFilterSet
from uplift.servicedesk.models import ServiceRequest

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime.datetime(2018, 6, 4, 9, 0))


def hours(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=n)


def refused(action: str) -> int:
    return AuditEntry.objects.filter(action=f"servicedesk.servicerequest.{action}_refused").count()


def file(w, actor=None, enterprise=None, topic="labelling", at=T0, **extra):
    return services.request_create(
        actor=actor,
        enterprise=enterprise or w.ent_in,
        topic=topic,
        title=extra.pop("title", "吊牌标注咨询"),
        description=extra.pop("description", "成分标注是否符合 GB 5296.4"),
        at=at,
        **extra,
    )


@pytest.fixture
def xiantao_station(w):
    """A station in Xiantao run by the Wuhan institution that delivers Xiantao's pilot."""
    return reg.station_create(actor=None, name="仙桃品质服务站", region_id="429004", operator=w.inst_in)


@pytest.fixture
def other_enterprise_user(w):
    ent = reg.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 9),
        name="仙桃锦绣制衣有限公司",
        region_id="429004",
        industry_id="18",
    )
    org = organisation_create(actor=None, kind=OrganisationKind.ENTERPRISE, name=ent.name, enterprise=ent)
    user = user_create(actor=None, username="ent2", password="Test-pass-2018")
    membership_create(actor=None, user=user, organisation=org, role=Role.ENTERPRISE_USER)
    return ent, user


# --- The workflow ----------------------------------------------------------------------------------


def test_a_request_runs_from_filing_to_a_rated_close(w, xiantao_station):
    services.routing_rule_create(
        actor=w.officer, name="仙桃全部", region_id="429004", station=xiantao_station
    )
    r = file(w, actor=w.enterprise_user, at=None)
    assert (r.station, r.routed_by.name, r.status, r.region_id) == (
        xiantao_station,
        "仙桃全部",
        RequestStatus.SUBMITTED,
        "429004",
    )
    assert r.cluster == w.cluster_in  # the enterprise's cluster, taken when none is named
    assert r.filed_by == w.enterprise_user
    # Default targets: 24 hours to respond, 5 days to answer.
    assert r.response_due_at - r.filed_at == datetime.timedelta(hours=24)
    assert r.answer_due_at - r.filed_at == datetime.timedelta(days=5)
    # The station's operator answers it.
    r = services.request_accept(actor=w.institution_user, request=r)
    r = services.request_start(actor=w.institution_user, request=r)
    r = services.request_answer(actor=w.institution_user, request=r, answer="按 GB 5296.4 标注纤维含量")
    assert r.answered_by == w.institution_user and r.answered_on_time
    r = services.request_close(actor=w.enterprise_user, request=r, satisfaction=5, comment="很及时")
    assert (r.status, r.satisfaction, r.comment) == (RequestStatus.CLOSED, 5, "很及时")
    verbs = list(
        AuditEntry.objects.filter(object_type="servicedesk.servicerequest", object_id=str(r.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert [v.rsplit(".", 1)[1] for v in verbs] == ["create", "accept", "start", "answer", "close"]


def test_the_page_actions_follow_the_workflow(w, client):
    r = file(w, at=None)
    client.force_login(w.officer)
    page = client.get(r.get_absolute_url())
    names = {a["action"].name for a in page.context["actions"]}
    assert {"route", "accept", "withdraw"} <= names and "close" not in names
    response = client.post(
        reverse("servicedesk:servicerequest_route", args=[r.pk]), {"institution": w.inst_in.pk}
    )
    assert response.status_code == 302
    client.post(reverse("servicedesk:servicerequest_accept", args=[r.pk]))
    client.post(reverse("servicedesk:servicerequest_answer", args=[r.pk]), {"answer": "已答复"})
    r.refresh_from_db()
    assert (r.institution, r.status) == (w.inst_in, RequestStatus.ANSWERED)
    client.force_login(w.enterprise_user)
    response = client.post(reverse("servicedesk:servicerequest_close", args=[r.pk]), {"satisfaction": "4"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.status, r.satisfaction) == (RequestStatus.CLOSED, 4)


def test_an_enterprise_user_files_through_the_page_for_their_own_firm(w, client):
    client.force_login(w.enterprise_user)
    form = client.get(reverse("servicedesk:servicerequest_add")).context["form"]
    assert form.initial["enterprise"] == w.ent_in.credit_code
    response = client.post(
        reverse("servicedesk:servicerequest_add"),
        {
            "enterprise": w.ent_in.credit_code,
            "topic": "metrology",
            "title": "计量器具校准",
            "description": "电子秤需要校准",
            "channel": "online",
        },
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get(title="计量器具校准").filed_by == w.enterprise_user


def test_withdrawing_ends_an_open_request(w):
    r = services.request_withdraw(actor=w.enterprise_user, request=file(w), reason="已自行解决")
    assert (r.status, r.withdrawal_reason) == (RequestStatus.WITHDRAWN, "已自行解决")
    assert not r.attachments_open()


# --- Routing ---------------------------------------------------------------------------------------


def test_the_most_specific_rule_wins(w, xiantao_station):
    province = reg.institution_create(
        actor=None, credit_code=w.code("420000", 11, "12"), name="湖北省标准化研究院", region_id="420000"
    )
    plain = reg.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 12),
        name="仙桃无集群公司",
        region_id="429004",
        industry_id="18",
    )
    rule = services.routing_rule_create
    rule(actor=w.officer, name="全省", region_id="420000", institution=province)
    rule(actor=w.officer, name="仙桃标识", region_id="429004", topic="labelling", institution=w.inst_in)
    rule(actor=w.officer, name="集群", region_id="429004", cluster=w.cluster_in, station=xiantao_station)
    # A cluster beats a region and a topic; a narrower region beats the province.
    assert file(w, topic="labelling").routed_by.name == "集群"
    assert file(w, enterprise=plain, topic="labelling").routed_by.name == "仙桃标识"
    assert file(w, enterprise=plain, topic="testing").routed_by.name == "全省"
    # Equally specific: the higher priority wins; an inactive rule never applies.
    rule(
        actor=w.officer,
        name="全省检测",
        region_id="420000",
        topic="testing",
        institution=province,
        priority=1,
    )
    rule(
        actor=w.officer,
        name="全省检测二",
        region_id="420000",
        topic="testing",
        institution=province,
        priority=5,
    )
    rule(
        actor=w.officer,
        name="全省检测停用",
        region_id="420000",
        topic="testing",
        institution=province,
        priority=9,
        is_active=False,
    )
    assert file(w, enterprise=plain, topic="testing").routed_by.name == "全省检测二"
    # Outside every rule (Hunan): left for an officer to route.
    r = file(w, enterprise=w.ent_out)
    assert r.routed_by is None and r.assignee is None


def test_a_rule_whose_target_serves_outside_its_region_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_create(actor=w.officer, name="错配", region_id="420000", institution=w.inst_in)
    assert "institution" in exc.value.message_dict  # a Wuhan institution does not serve all Hubei
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_create(
            actor=w.hunan_officer, name="越界", region_id="420100", institution=w.inst_in
        )
    assert "officer" in exc.value.messages[0]


def test_routing_by_hand_to_an_institution_outside_the_region_is_refused_naming_the_field(w):
    xiangyang = reg.institution_create(
        actor=None, credit_code=w.code("420600", 13, "12"), name="襄阳质量中心", region_id="420600"
    )
    r = file(w)
    for target in (xiangyang, w.inst_out):
        with pytest.raises(ValidationError) as exc:
            services.request_route(actor=w.officer, request=r, institution=target)
        assert "institution" in exc.value.message_dict
        assert target.name in exc.value.message_dict["institution"][0]
    r.refresh_from_db()
    assert r.institution is None and r.version == 1
    assert refused("route") == 2
    # The Wuhan institution delivering Xiantao's pilot serves Xiantao.
    assert services.request_route(actor=w.officer, request=r, institution=w.inst_in).institution == w.inst_in


def test_only_an_officer_of_the_region_routes(w):
    r = file(w)
    for actor in (w.enterprise_user, w.institution_user, w.hunan_officer):
        with pytest.raises(ValidationError):
            services.request_route(actor=actor, request=r, institution=w.inst_in)


def test_response_targets_come_from_the_most_specific_region(w):
    services.response_target_create(
        actor=w.officer, region_id="420000", topic="labelling", response_hours=48, answer_days=10
    )
    services.response_target_create(
        actor=w.officer, region_id="429004", topic="labelling", response_hours=4, answer_days=2
    )
    r = file(w)
    assert (r.response_due_at, r.answer_due_at) == (hours(4), T0 + datetime.timedelta(days=2))
    r = file(w, topic="testing")  # none set for testing: the defaults
    assert r.answer_due_at == T0 + datetime.timedelta(days=5)
    with pytest.raises(ValidationError):  # a city officer does not set the province's promise
        services.response_target_create(
            actor=w.hunan_officer, region_id="420000", topic="testing", response_hours=1, answer_days=1
        )


# --- Scope -----------------------------------------------------------------------------------------


def test_who_sees_which_request(w, xiantao_station, other_enterprise_user):
    expert, expert_user = expert_with_account(w, "陈专家", "expert_chen")
    mine = file(w)
    other_ent, other_user = other_enterprise_user
    theirs = file(w, enterprise=other_ent)
    at_station = file(w)
    services.request_route(actor=w.officer, request=at_station, station=xiantao_station)
    to_expert = file(w)
    services.request_route(actor=w.officer, request=to_expert, expert=expert)
    hunan = file(w, enterprise=w.ent_out)

    def seen(user):
        return set(ServiceRequest.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(w.officer) == {mine.pk, theirs.pk, at_station.pk, to_expert.pk}
    assert seen(w.hunan_officer) == {hunan.pk}
    assert seen(w.enterprise_user) == {mine.pk, at_station.pk, to_expert.pk}
    assert seen(other_user) == {theirs.pk}
    assert seen(w.institution_user) == {at_station.pk}  # the station it operates
    assert seen(expert_user) == {to_expert.pk}
    assert seen(w.nobody) == set()


def test_another_enterprises_user_can_neither_see_nor_close(w, client, other_enterprise_user):
    _ent, other_user = other_enterprise_user
    r = file(w)
    services.request_accept(actor=w.officer, request=r)
    services.request_answer(actor=w.officer, request=r, answer="答复")
    with pytest.raises(ValidationError):
        services.request_close(actor=other_user, request=r, satisfaction=1)
    client.force_login(other_user)
    assert client.get(r.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("servicedesk:servicerequest_close", args=[r.pk]), {"satisfaction": "1"}
        ).status_code
        == 404
    )
    r.refresh_from_db()
    assert r.status == RequestStatus.ANSWERED


def test_an_institution_not_assigned_cannot_answer(w):
    r = file(w)
    services.request_route(actor=w.officer, request=r, institution=w.inst_in)
    services.request_accept(actor=w.institution_user, request=r)
    # Routing is only while the request waits to be accepted.
    with pytest.raises(ValidationError) as exc:
        services.request_route(actor=w.officer, request=r, expert=w.expert_in)
    assert exc.value.code == "state"
    with pytest.raises(ValidationError):
        services.request_answer(actor=w.enterprise_user, request=r, answer="自己回答")


# --- Bad input -------------------------------------------------------------------------------------


def test_a_request_without_description_is_refused_and_audited(w):
    before = ServiceRequest.objects.count()
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            file(w, actor=w.enterprise_user, description=blank)
        assert "description" in exc.value.message_dict
    assert ServiceRequest.objects.count() == before
    assert refused("create") == 2


def test_an_attachment_of_the_wrong_type_is_refused_naming_the_file(w):
    r = file(w, actor=w.enterprise_user)
    program = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=w.enterprise_user, parent=r, file=program, kind="other", name="样品.pdf")
    assert "file" in exc.value.message_dict
    assert r.attachments_open()  # still open: only the file was refused
    from uplift.core.demo import sample_pdf

    ok = attachment_add(
        actor=w.enterprise_user,
        parent=r,
        file=io.BytesIO(sample_pdf(["label"])),
        kind="photo",
        name="吊牌.pdf",
    )
    assert ok.media_type == "application/pdf"


@pytest.mark.parametrize("rating", [0, 6, "", None, "4.5"])
def test_a_rating_outside_1_to_5_is_refused_naming_the_field(w, rating):
    r = file(w)
    services.request_accept(actor=w.officer, request=r)
    services.request_answer(actor=w.officer, request=r, answer="答复")
    with pytest.raises(ValidationError) as exc:
        services.request_close(actor=w.enterprise_user, request=r, satisfaction=rating)
    assert "satisfaction" in exc.value.message_dict
    r.refresh_from_db()
    assert (r.status, r.satisfaction) == (RequestStatus.ANSWERED, None)
    assert refused("close") == 1


def test_the_database_refuses_a_rating_outside_1_to_5(w):
    from django.db import IntegrityError, transaction

    r = file(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=r.pk).update(satisfaction=6)


def test_the_api_refuses_a_rating_of_6_with_a_400_naming_it(w, client):
    r = file(w)
    services.request_accept(actor=w.officer, request=r)
    services.request_answer(actor=w.officer, request=r, answer="答复")
    client.force_login(w.enterprise_user)
    url = reverse("api:servicerequest-close", args=[r.pk])
    response = client.post(url, {"satisfaction": 6}, content_type="application/json")
    assert response.status_code == 400 and "satisfaction" in response.json()
    assert refused("close") == 1
    assert client.post(url, {"satisfaction": 3}, content_type="application/json").json()["satisfaction"] == 3


def test_steps_out_of_order_are_refused(w):
    r = file(w)
    with pytest.raises(ValidationError) as exc:
        services.request_answer(actor=w.officer, request=r, answer="还没受理")
    assert exc.value.code == "state" and "Submitted" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.request_close(actor=w.enterprise_user, request=r, satisfaction=5)
    services.request_withdraw(actor=w.enterprise_user, request=r)
    with pytest.raises(ValidationError):
        services.request_accept(actor=w.officer, request=r)
    assert refused("answer") == refused("close") == refused("accept") == 1


def test_an_edit_after_acceptance_is_refused(w):
    r = file(w)
    services.request_accept(actor=w.officer, request=r)
    r.refresh_from_db()
    with pytest.raises(ValidationError):
        services.request_update(actor=w.enterprise_user, instance=r, description="改一改")


def test_a_request_for_an_enterprise_out_of_scope_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        file(w, actor=w.enterprise_user, enterprise=w.ent_out)
    with pytest.raises(ValidationError) as exc:
        file(w, actor=w.officer, enterprise=w.ent_out)
    assert "enterprise" in exc.value.message_dict


# --- Overdue and figures ---------------------------------------------------------------------------


def test_overdue_flags_and_filters(w):
    late_response = file(w, at=timezone.now() - datetime.timedelta(hours=30))  # 24 h passed
    late_answer = file(w, at=timezone.now() - datetime.timedelta(days=6))
    services.request_accept(
        actor=w.officer, request=late_answer, at=timezone.now() - datetime.timedelta(days=5, hours=23)
    )
    fresh = file(w, at=None)
    answered = file(w, at=timezone.now() - datetime.timedelta(days=9))
    services.request_accept(actor=w.officer, request=answered, at=timezone.now() - datetime.timedelta(days=8))
    services.request_answer(
        actor=w.officer, request=answered, answer="晚了", at=timezone.now() - datetime.timedelta(days=1)
    )
    for r in (late_response, late_answer, fresh, answered):
        r.refresh_from_db()
    assert [r.is_overdue for r in (late_response, late_answer, fresh, answered)] == [True, True, False, False]
    assert answered.answered_on_time is False

    def listed(**query):
        f = ServiceRequestFilterSet(query, queryset=ServiceRequest.objects.visible_to(w.officer))
        assert f.is_valid(), f.errors
        return set(f.qs.values_list("pk", flat=True))

    assert listed(overdue="true") == {late_response.pk, late_answer.pk}
    assert listed(overdue="false") == {fresh.pk, answered.pk}
    assert listed(answered_on_time="false") == {answered.pk}
    assert listed(answered_on_time="true") == set()
    assert listed(unrouted="true") == {late_response.pk, late_answer.pk, fresh.pk, answered.pk}


def test_figures_match_a_hand_computation_and_drill_down_to_their_records(w, client):
    # (hours to accept, hours to answer or None, rating or None); targets 24 h / 5 days (120 h).
    plan = [(2, 30, 5), (5, 100, 4), (30, 130, 2), (8, None, None), (None, None, None), (1, 20, None)]
    made = []
    for i, (accept, answer, rating) in enumerate(plan):
        filed = T0 + datetime.timedelta(days=i)
        r = file(w, at=filed)
        if accept is not None:
            services.request_accept(actor=w.officer, request=r, at=filed + datetime.timedelta(hours=accept))
        if answer is not None:
            services.request_answer(
                actor=w.officer, request=r, answer="答复", at=filed + datetime.timedelta(hours=answer)
            )
        if rating is not None:
            services.request_close(
                actor=w.enterprise_user,
                request=r,
                satisfaction=rating,
                at=filed + datetime.timedelta(hours=answer + 1),
            )
        made.append(r)
    file(w, enterprise=w.ent_out, at=T0)  # Hunan's: not the Hubei officer's figure
    m = selectors.request_metrics(
        w.officer, since=datetime.date(2018, 1, 1), until=datetime.date(2018, 12, 31)
    )
    assert m["requests"]["value"] == 6
    assert m["median_hours_to_response"] == {
        "value": statistics.median([2, 5, 30, 8, 1]),  # 5.0
        "n": 5,
        "url": m["median_hours_to_response"]["url"],
    }
    assert m["median_hours_to_response"]["value"] == 5.0
    # Answered: 30 h, 100 h, 130 h, 20 h; on time (≤ 120 h): 3 of 4.
    assert (m["answered_on_time"]["value"], m["answered_on_time"]["on_time"], m["answered_on_time"]["n"]) == (
        75.0,
        3,
        4,
    )
    assert (m["satisfaction"]["value"], m["satisfaction"]["n"]) == (round((5 + 4 + 2) / 3, 2), 3)
    # Each figure's link lists exactly the records it counts.
    client.force_login(w.officer)
    for key, expected in (("requests", 6), ("median_hours_to_response", 5), ("satisfaction", 3)):
        response = client.get(m[key]["url"])
        assert response.status_code == 200
        assert response.context["table"].paginator.count == expected, key
    response = client.get(m["answered_on_time"]["url"])
    assert response.context["table"].paginator.count == 3
    assert client.get(m["answered_on_time"]["n_url"]).context["table"].paginator.count == 4
    # A narrower region, and the Hunan officer's own.
    assert selectors.request_metrics(w.officer, region="420100")["requests"]["value"] == 0
    assert selectors.request_metrics(w.hunan_officer)["requests"]["value"] == 1


# --- Turning a request into project work -----------------------------------------------------------


def test_a_request_becomes_a_problem_through_deliverys_service(w, d):
    r = file(w)
    services.request_route(actor=w.officer, request=r, institution=w.inst_in)
    services.request_accept(actor=w.institution_user, request=r)
    r = services.request_to_problem(
        actor=w.institution_user,
        request=r,
        project=d.project,
        category="labelling",
        severity="major",
        deadline=datetime.date(2018, 12, 31),
        at=hours(48),
    )
    problem = r.problem
    assert (problem.enterprise, problem.project, problem.institution) == (w.ent_in, d.project, w.inst_in)
    assert AuditEntry.objects.filter(action="delivery.problem.create", object_id=str(problem.pk)).exists()
    with pytest.raises(ValidationError):  # once only
        services.request_to_problem(
            actor=w.institution_user,
            request=r,
            project=d.project,
            category="labelling",
            severity="major",
            deadline=datetime.date(2018, 12, 31),
        )


def test_a_request_becomes_an_activity_with_the_enterprise_taking_part(w, d):
    r = file(w)
    services.request_accept(actor=w.officer, request=r)
    with pytest.raises(ValidationError) as exc:  # the bureau names the programme when outside a project
        services.request_to_activity(
            actor=w.officer, request=r, kind="diagnosis", held_on=datetime.date(2018, 6, 10), place="企业现场"
        )
    assert "programme" in exc.value.message_dict
    r = services.request_to_activity(
        actor=w.officer,
        request=r,
        programme=w.programme_in,
        kind="diagnosis",
        held_on=datetime.date(2018, 6, 10),
        place="企业现场",
    )
    assert r.activity.status == "draft" and r.activity.region_id == "429004"
    assert list(r.activity.participations.values_list("enterprise_id", flat=True)) == [w.ent_in.pk]


def test_an_enterprise_cannot_turn_its_request_into_project_work(w):
    r = file(w)
    services.request_accept(actor=w.officer, request=r)
    assert not services.can_convert(w.enterprise_user, r, "problem")
    with pytest.raises(ValidationError):
        services.request_to_problem(
            actor=w.enterprise_user,
            request=r,
            programme=w.programme_in,
            category="labelling",
            severity="minor",
            deadline=datetime.date(2018, 12, 31),
        )


def test_the_api_runs_the_workflow_and_each_role_sees_its_own_steps(w, client, xiantao_station):
    r = file(w, at=None)
    client.force_login(w.officer)
    base = "/api/servicedesk/requests/"
    response = client.post(
        f"{base}{r.pk}/route/", {"station": xiantao_station.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["station"] == xiantao_station.pk
    client.force_login(w.institution_user)  # the station's operator
    page = client.get(r.get_absolute_url())
    assert {a["action"].name for a in page.context["actions"]} >= {"accept"}
    assert client.post(f"{base}{r.pk}/accept/", {}, content_type="application/json").status_code == 200
    response = client.post(f"{base}{r.pk}/answer/", {"answer": "按标准执行"}, content_type="application/json")
    assert response.json()["status"] == "answered"
    client.force_login(w.enterprise_user)
    page = client.get(r.get_absolute_url())
    assert {a["action"].name for a in page.context["actions"]} == {"close"}
    assert (
        client.post(f"{base}{r.pk}/answer/", {"answer": "x"}, content_type="application/json").status_code
        == 403
    )
