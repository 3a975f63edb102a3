"""The one-stop service's card on the programme dashboard: its figures, and who sees it."""

import datetime

import pytest
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
