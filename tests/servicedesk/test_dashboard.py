"""The one-stop service's card on the programme dashboard: its figures, and who sees it."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from uplift.servicedesk import services

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_service_figures_with_their_links(w, client):
    filed = timezone.make_aware(datetime.datetime(2018, 5, 2, 9))
    r = services.request_create(
        actor=None, enterprise=w.ent_in, topic="testing", title="检测", description="需要检测", at=filed
    )
    services.request_accept(actor=None, request=r, at=filed + datetime.timedelta(hours=3))
    services.request_answer(actor=None, request=r, answer="已答复", at=filed + datetime.timedelta(days=1))
    services.request_close(actor=None, request=r, satisfaction=4, at=filed + datetime.timedelta(days=2))
    services.request_create(
        actor=None, enterprise=w.ent_in, topic="other", title="咨询", description="政策", at=filed
    )
    client.force_login(w.officer)
    response = client.get(reverse("programmes:dashboard", args=[w.programme_in.slug]))
    assert response.status_code == 200
    sd = response.context["servicedesk"]
    assert sd["requests"]["value"] == 2
    assert sd["median_hours_to_response"]["value"] == 3.0
    assert (sd["answered_on_time"]["value"], sd["satisfaction"]["value"]) == (100.0, 4)
    assert sd["overdue"]["value"] == 1  # the unanswered one, filed in 2018
    html = response.content.decode()
    assert 'id="servicedesk"' in html and sd["answered_on_time"]["url"].replace("&", "&amp;") in html
    assert "since=2018-01-01" in sd["requests"]["url"]
    listed = client.get(sd["overdue"]["url"])
    assert listed.context["table"].paginator.count == 1


def _figures(*args: str) -> dict:
    out = io.StringIO()
    call_command("figures", "--json", "--programme", "hubei-2018", *args, stdout=out)
    return json.loads(out.getvalue())


def test_uplift_figures_gives_the_cards_numbers_for_the_same_scope(w, client):
    filed = timezone.make_aware(datetime.datetime(2018, 5, 2, 9))
    for hours, rating in ((3, 4), (9, 5)):
        r = services.request_create(
            actor=None, enterprise=w.ent_in, topic="testing", title="检测", description="需要检测", at=filed
        )
        services.request_accept(actor=None, request=r, at=filed + datetime.timedelta(hours=hours))
        services.request_answer(actor=None, request=r, answer="已答复", at=filed + datetime.timedelta(days=9))
        services.request_close(
            actor=None, request=r, satisfaction=rating, at=filed + datetime.timedelta(days=10)
        )
    services.request_create(
        actor=None, enterprise=w.ent_in, topic="other", title="咨询", description="政策", at=filed
    )
    # Hunan's request is not Hubei's programme's, and one of 2017 is outside its period.
    services.request_create(actor=None, enterprise=w.ent_out, topic="other", title="咨询", description="政策")
    services.request_create(
        actor=None,
        enterprise=w.ent_in,
        topic="other",
        title="咨询",
        description="政策",
        at=filed - datetime.timedelta(days=365),
    )
    data = _figures()
    assert data["service_requests"] == {"value": 3, "target": None, "unit": "requests"}
    assert data["median_first_response_hours"] == {"value": 6.0, "target": None, "unit": "hours"}
    # Testing is answered within 5 days here (the default): both answers, after 9 days, were late.
    assert data["answered_on_time_share"] == {"value": 0.0, "target": None, "unit": "percent"}
    assert data["mean_satisfaction"] == {"value": 4.5, "target": None, "unit": "rating"}
    # The same numbers as the officer's card, for the province and narrowed to a region or a cluster.
    client.force_login(w.officer)
    dashboard = reverse("programmes:dashboard", args=[w.programme_in.slug])
    for query, args in (
        ({}, ()),
        ({"region": "429004"}, ("--region", "429004")),
        ({"cluster": w.cluster_in.pk}, ("--cluster", w.cluster_in.name)),
        ({"region": "420100"}, ("--region", "420100")),
    ):
        card = client.get(dashboard, query).context["servicedesk"]
        data = _figures(*args)
        assert [
            data[name]["value"]
            for name in (
                "service_requests",
                "median_first_response_hours",
                "answered_on_time_share",
                "mean_satisfaction",
            )
        ] == [
            card[key]["value"]
            for key in ("requests", "median_hours_to_response", "answered_on_time", "satisfaction")
        ], query
    assert _figures("--region", "420100")["service_requests"]["value"] == 0
