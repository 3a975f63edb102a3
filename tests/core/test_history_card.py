"""A record's change-history card reads as the rest of the page does: labels, names, 是/否, dates
in the house format and money in yuan — never the stored codes and ids."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from uplift.core.display import readable_history
from uplift.core.models import AuditEntry
from uplift.core.selectors import history_of
from uplift.programmes.services import programme_update
from uplift.servicedesk import services
from uplift.servicedesk.models import RoutingRule, ServiceRequest

pytestmark = pytest.mark.django_db


def _card(response, title: str = "Change history") -> str:
    html = response.content.decode()
    return html[html.index(title) :]


def test_a_requests_history_shows_the_status_label_and_the_expert_not_codes_and_ids(w, client):
    filed = timezone.make_aware(datetime.datetime(2018, 6, 1, 9, 30))
    r = services.request_create(
        actor=None, enterprise=w.ent_in, topic="testing", title="检测", description="需要检测", at=filed
    )
    services.request_route(actor=w.officer, request=r, expert=w.expert_in)
    services.request_accept(actor=w.officer, request=r, at=filed + datetime.timedelta(hours=3))
    client.force_login(w.officer)
    card = _card(client.get(reverse("servicedesk:servicerequest_detail", args=[r.pk])))
    assert "Submitted → Accepted" in card and "submitted → accepted" not in card
    assert f"<b>Expert</b>: — → {w.expert_in.name}<" in card
    assert "1 June 2018 12:30" in card  # accepted at, in the house format and the reader's zone
    assert "2018-06-01T" not in card
    client.cookies["django_language"] = "zh-hans"
    card = _card(client.get(reverse("servicedesk:servicerequest_detail", args=[r.pk])), "变更记录")
    assert "已提交 → 已受理" in card and "2018年6月1日 12:30" in card


def test_yes_no_and_money_read_as_people_write_them(w, client):
    rule = services.routing_rule_create(
        actor=w.officer, name="武汉 → 岱家山", region_id="420100", station=w.station_in
    )
    services.routing_rule_update(actor=w.officer, instance=rule, is_active=False)
    programme_update(actor=None, instance=w.programme_in, budget=Decimal("1300000.50"))
    client.force_login(w.officer)
    card = _card(client.get(reverse("servicedesk:routingrule_detail", args=[rule.pk])))
    assert "Yes → No" in card and "True" not in card
    card = _card(client.get(reverse("programmes:programme_detail", args=[w.programme_in.pk])))
    assert "¥0 → ¥1,300,000.50" in card
    assert "1 January 2018" in card  # the start date the programme was created with


def test_related_records_are_read_once_per_related_model_not_once_per_row(w, django_assert_num_queries):
    rule = services.routing_rule_create(
        actor=w.officer, name="武汉 → 岱家山", region_id="420100", station=w.station_in
    )
    for n in range(4):
        if n % 2:
            services.routing_rule_update(
                actor=w.officer, instance=rule, station=w.station_in, institution=None
            )
        else:
            services.routing_rule_update(actor=w.officer, instance=rule, station=None, institution=w.inst_in)
    services.routing_rule_update(actor=w.officer, instance=rule, station=None, expert=w.expert_in)
    entries = list(history_of(rule))
    assert len(entries) == 6
    # Regions, stations, institutions, experts: one query each, however many entries name them.
    with django_assert_num_queries(4):
        rows = readable_history(entries, RoutingRule)
    changes = {c["field"]: c for e in rows for c in e.changes}
    assert changes["expert_id"]["after"] == str(w.expert_in)
    assert changes["region_id"]["after"] == "武汉市 (420100)" and changes["is_active"]["after"] == "Yes"


def test_a_related_record_no_longer_there_reads_as_its_key(w):
    entry = AuditEntry(
        action="servicedesk.servicerequest.route",
        object_type="servicedesk.servicerequest",
        before={"station_id": None, "status": "submitted"},
        after={"station_id": 987654, "status": "gone"},
    )
    (row,) = readable_history([entry], ServiceRequest)
    changes = {c["field"]: c for c in row.changes}
    assert changes["station_id"]["after"] == "#987654"
    assert (changes["status"]["before"], changes["status"]["after"]) == ("Submitted", "gone")
