"""Drawing a tender's evaluation panel at random from the expert registry (随机抽取评标专家)."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from uplift.accounts.choices import Role
from uplift.accounts.models import Organisation
from uplift.accounts.services import membership_create, user_create
from uplift.core.models import AuditEntry
from uplift.procurement import services
from uplift.procurement.models import PanelMember
from uplift.procurement.testing import TenderScenario, at
from uplift.registry import services as reg

DRAW = "procurement.panel.draw"


def refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=f"{DRAW}_refused").order_by("seq"))


def assert_refused(message: str, **kwargs) -> None:
    """``panel_draw(**kwargs)`` is refused with ``message``, writes nothing, and is audited."""
    before, members, entries = len(refusals()), PanelMember.objects.count(), AuditEntry.objects.count()
    draws = AuditEntry.objects.filter(action=DRAW).count()
    with pytest.raises(ValidationError) as exc:
        services.panel_draw(**kwargs)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert PanelMember.objects.count() == members
    refused = refusals()
    assert len(refused) == before + 1
    assert any(message in m for m in refused[-1].after["refused"])
    assert AuditEntry.objects.count() == entries + 1  # the refusal, nothing else
    assert AuditEntry.objects.filter(action=DRAW).count() == draws


class Rollback(Exception):
    pass


@pytest.fixture
def s(w):
    """The example tender with its bids in (A, B, C) and five experts seated, and a pool of six
    free Hubei experts besides two a bidder employs and one in Hunan, out of reach."""
    s = TenderScenario(w, stage="closed")
    s.free = [
        reg.expert_create(
            actor=None,
            name=f"库专家{i}",
            region_id="420100",
            specialties="卓越绩效, 标准化" if i < 4 else "计量",
            industries=["18"] if i % 2 == 0 else ["36"],
        )
        for i in range(6)
    ]
    # B employs one (by the expert record's employer); another has a login on C's staff.
    s.employed = reg.expert_create(
        actor=None, name="B的员工", region_id="420100", employer=s.bidders["B"].name, specialties="卓越绩效"
    )
    staff_user = user_create(actor=None, username="c_staff_expert", password="Test-pass-2018")
    membership_create(
        actor=None,
        user=staff_user,
        organisation=Organisation.objects.get(institution=s.bidders["C"]),
        role=Role.INSTITUTION_STAFF,
    )
    s.staff = reg.expert_create(actor=None, name="C的员工", region_id="420100", user=staff_user)
    return s


def free_ids(s) -> list[int]:
    return sorted(e.pk for e in s.free)


def test_the_draw_leaves_out_the_panel_the_bidders_staff_and_experts_out_of_reach(w, s):
    members = services.panel_draw(actor=w.officer, tender=s.tender, size=5, seed=2018)
    entry = AuditEntry.objects.get(action=DRAW)
    assert entry.object_id == str(s.tender.pk)
    assert entry.after["eligible"] == free_ids(s)
    assert entry.after["excluded"]["on_panel"] == sorted(e.pk for e in s.experts)
    assert entry.after["excluded"]["bidders_staff"] == sorted([s.employed.pk, s.staff.pk])
    drawn = [m.expert_id for m in members]
    assert len(set(drawn)) == 5 and set(drawn) <= set(free_ids(s))
    assert entry.after["drawn"] == drawn
    assert w.expert_out.pk not in entry.after["eligible"]
    # Seated as by hand: one audited, notified creation each; the panel kept its chair.
    assert (
        AuditEntry.objects.filter(
            action="procurement.panelmember.create", object_id__in=[str(m.pk) for m in members]
        ).count()
        == 5
    )
    assert PanelMember.objects.filter(tender=s.tender).count() == 10
    assert list(PanelMember.objects.filter(tender=s.tender, is_chair=True)) == [s.members[0]]
    # The next draw leaves out those now seated: one free expert remains.
    assert_refused("Only 1 eligible experts, 3 asked", actor=w.officer, tender=s.tender, size=3)


def test_the_same_seed_draws_the_same_panel(w, s):
    with pytest.raises(Rollback), transaction.atomic():
        first = [m.expert_id for m in services.panel_draw(actor=w.officer, tender=s.tender, size=4, seed=7)]
        raise Rollback
    assert not PanelMember.objects.filter(tender=s.tender, expert__in=s.free).exists()
    again = [m.expert_id for m in services.panel_draw(actor=w.officer, tender=s.tender, size=4, seed=7)]
    assert again == first
    # Other seeds draw other panels.
    pool = free_ids(s)
    assert len({tuple(services.drawn_expert_ids(seed=n, eligible=pool, size=4)) for n in range(20)}) > 1


def test_an_auditor_reruns_the_draw_from_its_audit_entry(w, s):
    members = services.panel_draw(
        actor=w.officer, tender=s.tender, size=3, specialties=" 卓越绩效 ", industries=["36", "18"]
    )
    data = AuditEntry.objects.get(action=DRAW).after
    assert isinstance(data["seed"], int)  # drawn from secrets: nobody chose it
    assert data["criteria"] == {"size": 3, "specialties": "卓越绩效", "industries": ["18", "36"]}
    assert data["eligible"] == sorted(e.pk for e in s.free[:4])
    rerun = random.Random(data["seed"]).sample(sorted(data["eligible"]), data["criteria"]["size"])
    assert rerun == data["drawn"] == [m.expert_id for m in members]
    assert services.drawn_expert_ids(seed=data["seed"], eligible=data["eligible"], size=3) == data["drawn"]


def test_the_filters_narrow_the_pool_and_too_few_is_refused_with_nothing_written(w, s):
    # 卓越绩效 and industry 18: only the free experts 0 and 2 (the employed one is left out).
    assert_refused(
        "Only 2 eligible experts, 3 asked",
        actor=w.officer,
        tender=s.tender,
        size=3,
        specialties="卓越绩效",
        industries=["18"],
    )
    assert_refused("Only 6 eligible experts, 7 asked", actor=w.officer, tender=s.tender, size=7)
    assert_refused("between 3 and 9", actor=w.officer, tender=s.tender, size=2)
    assert_refused("between 3 and 9", actor=w.officer, tender=s.tender, size=10)
    members = services.panel_draw(actor=w.officer, tender=s.tender, size=3, specialties="卓越绩效", seed=1)
    assert {m.expert_id for m in members} <= {e.pk for e in s.free[:4]}


def test_only_officers_draw_and_only_while_the_tender_takes_a_panel(w, s):
    for user in (w.institution_user, w.expert_user, w.enterprise_user):
        assert_refused("Only a bureau officer", actor=user, tender=s.tender, size=3)
    services.tender_cancel(actor=w.officer, tender=s.tender, reason="预算调整")
    s.tender.refresh_from_db()
    assert_refused("this can only be done when it is", actor=w.officer, tender=s.tender, size=3)


def test_the_first_drawn_chairs_an_empty_panel(w, s):
    draft = services.tender_create(
        actor=w.officer,
        programme=w.programme_in,
        reference="HBZB-2018-09",
        title="草稿",
        clarification_deadline=at(5, 10),
        bid_deadline=at(5, 20),
        opening_at=at(5, 20, 9, 30),
    )
    members = services.panel_draw(actor=w.officer, tender=draft, size=3, seed=3)
    assert [m.is_chair for m in members] == [True, False, False]


def test_the_tender_page_offers_the_draw_to_officers(w, s, client):
    url = reverse("procurement:tender_draw_panel", args=[s.tender.pk])
    client.force_login(w.officer)
    assert url in client.get(s.tender.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200
    bad = client.post(url, {"size": "7"})
    assert bad.status_code == 200 and "Only 6 eligible experts, 7 asked" in bad.content.decode()
    assert not PanelMember.objects.filter(tender=s.tender, expert__in=s.free).exists()
    done = client.post(url, {"size": "3", "specialties": "卓越绩效", "industries": ["18", "36"]})
    assert done.status_code == 302 and done["Location"] == s.tender.get_absolute_url()
    drawn = PanelMember.objects.filter(tender=s.tender, expert__in=s.free)
    assert drawn.count() == 3 and {m.expert_id for m in drawn} <= {e.pk for e in s.free[:4]}
    assert AuditEntry.objects.filter(action=DRAW, actor=w.officer).count() == 1
    # A bidder neither sees the step nor may take it.
    client.force_login(w.institution_user)
    assert url not in client.get(s.tender.get_absolute_url()).content.decode()
    assert client.post(url, {"size": "3"}).status_code == 403
    assert PanelMember.objects.filter(tender=s.tender).count() == 8


def test_the_api_draws_and_answers_the_members_drawn(w, s):
    api = APIClient()
    path = f"/api/procurement/tenders/{s.tender.pk}/draw_panel/"
    api.force_authenticate(w.officer)
    section = api.post(path, {"size": 3, "industries": ["C"]}, format="json")
    assert section.status_code == 400 and "industries" in section.json()
    short = api.post(path, {"size": 7}, format="json")
    assert short.status_code == 400 and "Only 6 eligible experts, 7 asked" in str(short.json())
    ok = api.post(path, {"size": 3, "specialties": "", "industries": ["36"]}, format="json")
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert [row["tender"] for row in body] == [s.tender.pk] * 3
    assert {row["expert"] for row in body} == {s.free[1].pk, s.free[3].pk, s.free[5].pk}  # industry 36
    data = AuditEntry.objects.get(action=DRAW).after
    assert data["drawn"] == [row["expert"] for row in body]
    assert PanelMember.objects.filter(tender=s.tender).count() == 8
    api.force_authenticate(w.institution_user)
    assert api.post(path, {"size": 3}, format="json").status_code == 403
    # Another province's officer sees the published tender but does not form its panel.
    api.force_authenticate(w.hunan_officer)
    assert api.get(f"/api/procurement/tenders/{s.tender.pk}/").status_code == 200
    assert api.post(path, {"size": 3}, format="json").status_code == 403
    assert_refused(
        "Only the bureau of the tender's programme", actor=w.hunan_officer, tender=s.tender, size=3
    )
    assert PanelMember.objects.filter(tender=s.tender).count() == 8


def test_the_draw_is_in_the_openapi_schema(w, client):
    client.force_login(w.officer)
    schema = client.get("/api/schema/?format=json").json()
    op = schema["paths"]["/api/procurement/tenders/{id}/draw_panel/"]["post"]
    # The action's own inputs and answer, not the tender's (whatever the language of the texts).
    assert op["summary"] and op["description"]
    body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/PanelDrawRequest")
    assert "201" in op["responses"]
