"""A user's notifications on the page and through the API: their own only (another's is 404),
unread first, opening one marks it read and leads to its record, "mark all read"; the header's
count is one query, none for anonymous visitors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.delivery import services as delivery
from uplift.notifications.models import Notification
from uplift.notifications.services import notifications_create

pytestmark = pytest.mark.django_db


def note(user, title="仙桃休闲女装·诊断", *, record=None, kind="delivery.activity.submit", actor=None):
    (n,) = notifications_create(
        recipients=[(user.pk, user.email)],
        kind=kind,
        title=title,
        record=record,
        url=record.get_absolute_url() if record is not None else "",
        actor_id=actor.pk if actor is not None else None,
    )
    return n


class TestNotification(ViewTestCases, APITestCases):
    model = Notification
    api_basename = "notification"
    editable = False  # written by the hand-overs, never by a form

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.mine = note(cls.w.officer, actor=cls.w.institution_user)
        cls.theirs = note(cls.w.hunan_officer)

    @classmethod
    def inside(cls, w):
        return cls.mine

    @classmethod
    def outside(cls, w):
        return cls.theirs


def test_the_list_shows_unread_first_and_filters(w, d, client):
    old = note(w.officer, "早先的通知", record=d.approved)
    read = note(w.officer, "已读的通知", record=d.approved)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    new = note(w.officer, "新的通知", record=d.submitted, kind="delivery.activity.approve")
    client.force_login(w.officer)
    page = client.get(reverse("notifications:notification_list"))
    assert page.status_code == 200
    rows = [r.record.pk for r in page.context["table"].page.object_list]
    assert rows == [new.pk, old.pk, read.pk]
    body = page.content.decode()
    assert "新的通知" in body and "Activity approved" in body and "Mark all read" in body
    unread = client.get(reverse("notifications:notification_list"), {"status": "unread"})
    assert [r.record.pk for r in unread.context["table"].page.object_list] == [new.pk, old.pk]
    approvals = client.get(reverse("notifications:notification_list"), {"kind": "delivery.activity.approve"})
    assert [r.record.pk for r in approvals.context["table"].page.object_list] == [new.pk]


def test_opening_marks_read_and_leads_to_the_record(w, d, client):
    n = note(w.institution_user, record=d.approved, actor=w.officer)
    client.force_login(w.institution_user)
    url = reverse("notifications:notification_open", args=[n.pk])
    # A GET (a link pasted, an e-mail) changes nothing: it shows the notification's page.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == n.get_absolute_url()
    n.refresh_from_db()
    assert n.read_at is None
    page = client.get(n.get_absolute_url())
    assert page.status_code == 200 and "Open the record" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == d.approved.get_absolute_url()
    n.refresh_from_db()
    assert n.read_at is not None
    first = n.read_at
    client.post(url)
    n.refresh_from_db()
    assert n.read_at == first  # opened again: still read since the first time


def test_another_users_notification_is_404_on_every_page_and_endpoint(w, d, client):
    n = note(w.officer, record=d.approved)
    client.force_login(d.officer2)  # a colleague in the same bureau, with the same role
    for url in (
        reverse("notifications:notification_detail", args=[n.pk]),
        reverse("notifications:notification_open", args=[n.pk]),
        reverse("api:notification-detail", args=[n.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("notifications:notification_open", args=[n.pk])).status_code == 404
    assert client.post(reverse("api:notification-read", args=[n.pk])).status_code == 404
    client.post(reverse("notifications:notification_read_all"))
    client.post(reverse("api:notification-read-all"))
    n.refresh_from_db()
    assert n.read_at is None
    listed = client.get(reverse("api:notification-list")).json()["results"]
    assert listed == []


def test_every_role_reads_its_own_administrators_included(w, client):
    for user in (w.officer, w.institution_user, w.enterprise_user, w.security_admin, w.audit_admin):
        n = note(user)
        client.force_login(user)
        assert client.get(reverse("notifications:notification_detail", args=[n.pk])).status_code == 200
        assert [r["id"] for r in client.get(reverse("api:notification-list")).json()["results"]] == [n.pk]


def test_mark_all_read_on_the_page_and_the_api(w, client):
    for i in range(3):
        note(w.officer, f"通知{i}")
    other = note(w.hunan_officer)
    client.force_login(w.officer)
    assert client.get(reverse("notifications:notification_read_all")).status_code == 405  # POST only
    response = client.post(reverse("notifications:notification_read_all"))
    assert response.status_code == 303
    assert not Notification.objects.filter(recipient=w.officer, read_at__isnull=True).exists()
    note(w.officer, "又一条")
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 1}
    other.refresh_from_db()
    assert other.read_at is None


def test_the_api_marks_one_read(w, d, client):
    n = note(w.officer, record=d.approved, actor=w.institution_user)
    client.force_login(w.officer)
    data = client.get(reverse("api:notification-list"), {"status": "unread"}).json()["results"]
    assert [(r["id"], r["kind_label"], r["link"], r["record_type"]) for r in data] == [
        (n.pk, "Activity submitted for approval", d.approved.get_absolute_url(), "delivery.activity")
    ]
    response = client.post(reverse("api:notification-read", args=[n.pk]))
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.get(reverse("api:notification-list"), {"status": "unread"}).json()["results"] == []


def test_a_read_only_token_reads_but_does_not_mark(w, client):
    from uplift.accounts.services import token_create

    n = note(w.officer)
    _token, key = token_create(actor=w.officer, user=w.officer, name="看板")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(reverse("api:notification-list"), **auth).status_code == 200
    assert client.post(reverse("api:notification-read", args=[n.pk]), **auth).status_code == 403
    assert client.post(reverse("api:notification-read-all"), **auth).status_code == 403


def test_the_schema_documents_the_endpoints(client, w):
    client.force_login(w.officer)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    assert {"/api/notifications/", "/api/notifications/{id}/read/", "/api/notifications/read-all/"} <= set(
        schema["paths"]
    )


def _page_queries(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_header_shows_the_unread_count_for_one_query(w, client):
    url = reverse("accounts:profile")
    client.force_login(w.institution_user)
    before = _page_queries(client, url)
    note(w.institution_user, "一")
    note(w.institution_user, "二")
    page = client.get(url)
    assert 'class="badge badge-warn"' in page.content.decode() and "2 unread" in page.content.decode()
    after = _page_queries(client, url)
    counts = [q for q in after if "notifications_notification" in q]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()
    assert len(after) == len(before)  # however many notifications there are


def test_no_query_for_anonymous_visitors(client, w):
    queries = _page_queries(client, reverse("reports:bulletin"))
    assert not [q for q in queries if "notifications_notification" in q]


def test_the_generic_list_of_a_step_links_back(w, d, client, committed):
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    client.force_login(w.officer)
    body = client.get(reverse("notifications:notification_list")).content.decode()
    assert d.draft.topic[:10] in body
