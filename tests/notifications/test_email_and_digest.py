"""E-mail through Django's backend when configured (by the worker, once), and the daily digest of
overdue work: one notification and one e-mail per user per day, whatever how often it runs."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from uplift.delivery import services as delivery
from uplift.notifications.digest import digest_of
from uplift.notifications.models import DIGEST, Notification
from uplift.notifications.services import emails_send
from uplift.notifications.tasks import send_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_on(settings):
    settings.UPLIFT_NOTIFY_EMAIL = True
    settings.UPLIFT_SITE_URL = "https://uplift.example.cn"


def with_address(user, address):
    user.email = address
    user.save()
    return user


def run_tasks():
    """What ``uplift db_worker --batch`` does with the queue: run every task once.

    Inside the test's transaction the worker must not close the connection between tasks (it
    does, as a long-running process should; on PostgreSQL that ends the test's transaction).
    """
    from unittest import mock

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            "*",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_a_hand_over_is_emailed_by_the_worker_once(w, d, email_on, committed):
    with_address(w.officer, "officer@hubei.example.cn")  # d.officer2 has no address: not e-mailed
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    assert not mail.outbox  # queued, not sent inside the request
    task = DBTaskResult.objects.get()
    assert task.task_path == "uplift.notifications.tasks.send_emails"
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@hubei.example.cn"]
    assert "Activity submitted for approval" in message.subject
    n = Notification.objects.get(recipient=w.officer)
    assert f"https://uplift.example.cn/notifications/{n.pk}/" in message.body
    assert n.emailed_at is not None
    assert Notification.objects.get(recipient=d.officer2).emailed_at is None
    # Run again (a retried task, a second worker): nothing sent twice.
    assert send_emails.call(notification_ids=[n.pk]) == 0
    assert len(mail.outbox) == 1


def test_no_email_unless_configured(w, d, committed, settings):
    settings.UPLIFT_NOTIFY_EMAIL = False
    with_address(w.officer, "officer@hubei.example.cn")
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    assert Notification.objects.filter(recipient=w.officer).exists()
    assert not DBTaskResult.objects.exists()
    assert emails_send(notification_ids=Notification.objects.values_list("pk", flat=True)) == 0
    assert not mail.outbox


def test_email_is_on_by_default_only_with_a_mail_server(monkeypatch):
    import importlib

    import uplift.settings as module

    try:
        monkeypatch.delenv("UPLIFT_NOTIFY_EMAIL", raising=False)
        monkeypatch.delenv("EMAIL_HOST", raising=False)
        assert importlib.reload(module).UPLIFT_NOTIFY_EMAIL is False
        monkeypatch.setenv("EMAIL_HOST", "smtp.hubei.example.cn")
        assert importlib.reload(module).UPLIFT_NOTIFY_EMAIL is True
        monkeypatch.setenv("UPLIFT_NOTIFY_EMAIL", "0")
        assert importlib.reload(module).UPLIFT_NOTIFY_EMAIL is False
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_a_failed_send_is_not_marked_sent(w, d, email_on, committed, settings):
    with_address(w.officer, "officer@hubei.example.cn")
    settings.EMAIL_BACKEND = "tests.notifications.test_email_and_digest.BrokenBackend"
    with committed():
        delivery.activity_submit(actor=w.institution_user, activity=d.draft)
    n = Notification.objects.get(recipient=w.officer)
    with pytest.raises(ConnectionError):
        emails_send(notification_ids=[n.pk])
    n.refresh_from_db()
    assert n.emailed_at is None  # the next run tries again


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("smtp down")


# --- The digest ---------------------------------------------------------------------------------

DAY = datetime.date(2018, 10, 15)  # the scenario's problems were due 2018-09-30


def test_the_digest_holds_what_is_overdue_in_each_users_scope(w, d):
    officer = digest_of(w.officer, DAY)
    sections = {s["name"]: s for s in officer.sections}
    # Hubei's open problem, not Hunan's; the activity submitted (by the scenario) waits too.
    assert sections["problems"]["count"] == 1
    assert sections["problems"]["items"][0]["url"] == d.problem.get_absolute_url()
    assert sections["problems"]["url"] == "/delivery/problems/?overdue=true"
    assert digest_of(w.hunan_officer, DAY).sections and all(
        item["url"] != d.problem.get_absolute_url()
        for s in digest_of(w.hunan_officer, DAY).sections
        for item in s["items"]
    )
    assert {s["name"]: s["count"] for s in digest_of(w.enterprise_user, DAY).sections} == {"problems": 1}
    assert digest_of(w.security_admin, DAY).sections == []  # no programme data at all
    assert digest_of(w.officer, datetime.date(2018, 9, 30)).sections == [] or all(
        s["name"] != "problems" for s in digest_of(w.officer, datetime.date(2018, 9, 30)).sections
    )


def test_activities_waiting_too_long_for_approval(w, d, settings):
    settings.UPLIFT_APPROVAL_OVERDUE_DAYS = 3
    submitted = d.submitted.submitted_at.date()
    assert not any(s["name"] == "activities" for s in digest_of(w.officer, submitted).sections)
    late = digest_of(w.officer, submitted + datetime.timedelta(days=4))
    (section,) = [s for s in late.sections if s["name"] == "activities"]
    assert section["count"] == 1 and section["items"][0]["url"] == d.submitted.get_absolute_url()


def test_the_digest_command_sends_once_a_day(w, d, email_on, committed):
    with_address(w.officer, "officer@hubei.example.cn")
    out = io.StringIO()
    call_command("notify", "digest", "--date", DAY.isoformat(), "--dry-run", stdout=out)
    assert "officer: problems 1" in out.getvalue() and not Notification.objects.exists()
    with committed():  # each user's digest is its own transaction; its e-mail is queued on commit
        call_command("notify", "digest", "--date", DAY.isoformat(), stdout=io.StringIO())
    digests = Notification.objects.filter(kind=DIGEST)
    recipients = {n.recipient for n in digests}
    assert {w.officer, d.officer2, w.institution_user, w.enterprise_user} <= recipients
    assert w.security_admin not in recipients and w.audit_admin not in recipients
    n = digests.get(recipient=w.officer)
    assert n.title == DAY.isoformat() and n.key == f"digest:{DAY.isoformat()}"
    run_tasks()
    assert [m.to for m in mail.outbox] == [["officer@hubei.example.cn"]]
    assert "https://uplift.example.cn/delivery/problems/?overdue=true" in mail.outbox[0].body
    # Twice the same day: nothing new, nothing sent again.
    out = io.StringIO()
    with committed():
        call_command("notify", "digest", "--date", DAY.isoformat(), stdout=out)
    assert "digests sent to 0 users" in out.getvalue()
    run_tasks()
    assert digests.count() == len(recipients) and len(mail.outbox) == 1
    # The next day is another digest.
    call_command(
        "notify", "digest", "--date", (DAY + datetime.timedelta(days=1)).isoformat(), stdout=io.StringIO()
    )
    assert Notification.objects.filter(kind=DIGEST, recipient=w.officer).count() == 2


def test_the_digest_page_lists_the_sections(w, d, client):
    call_command("notify", "digest", "--date", DAY.isoformat(), stdout=io.StringIO())
    n = Notification.objects.get(kind=DIGEST, recipient=w.enterprise_user)
    client.force_login(w.enterprise_user)
    assert client.post(n.get_open_url())["Location"] == n.get_absolute_url()  # its own page
    body = client.get(n.get_absolute_url()).content.decode()
    assert "Quality problems past their correction deadline" in body and "吊牌成分标注与实物不符" in body


def test_the_digest_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("notify", "digest", "--date", "2018-13-01")


def test_overdue_service_requests_and_the_list_that_shows_exactly_them(w):
    from django.utils import timezone

    from uplift.servicedesk import services as servicedesk
    from uplift.servicedesk.filtersets import ServiceRequestFilterSet
    from uplift.servicedesk.models import ServiceRequest

    def moment(days_before, hour=9):
        day = DAY - datetime.timedelta(days=days_before)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    def filed(at, enterprise=None):  # default targets: 24 hours to accept, 5 days to answer
        return servicedesk.request_create(
            actor=None,
            enterprise=enterprise or w.ent_in,
            topic="labelling",
            title="吊牌标注咨询",
            description="成分标注是否符合 GB 5296.4",
            at=at,
        )

    not_accepted = filed(moment(2))  # response due two days ago at 09:00, still submitted
    not_answered = filed(moment(6))  # accepted in time, answer due yesterday at 09:00
    servicedesk.request_route(actor=w.officer, request=not_answered, institution=w.inst_in)
    servicedesk.request_accept(actor=w.institution_user, request=not_answered, at=moment(6, 10))
    fresh = filed(moment(1))  # response due today at 09:00: not late when the day began
    answered_late = filed(moment(9))
    servicedesk.request_accept(actor=w.officer, request=answered_late, at=moment(9, 10))
    servicedesk.request_answer(actor=w.officer, request=answered_late, answer="晚了", at=moment(1))
    hunan = filed(moment(3), enterprise=w.ent_out)

    def section(user, day=DAY):
        found = [s for s in digest_of(user, day).sections if s["name"] == "requests"]
        return found[0] if found else None

    def listed(user, url):
        path, _sep, query = url.partition("?")
        assert path == "/servicedesk/requests/"
        params = dict(p.split("=") for p in query.split("&"))
        f = ServiceRequestFilterSet(params, queryset=ServiceRequest.objects.visible_to(user))
        assert f.is_valid(), f.errors
        return {r.get_absolute_url() for r in f.qs}

    officer = section(w.officer)
    assert officer["count"] == 2 and officer["url"] == f"/servicedesk/requests/?overdue_on={DAY}"
    items = [item["url"] for item in officer["items"]]
    assert items == [not_answered.get_absolute_url(), not_accepted.get_absolute_url()]  # by answer time
    assert listed(w.officer, officer["url"]) == set(items)  # the link lists exactly them
    # Each in their own scope: the enterprise its own two, the institution the one routed to it,
    # Hunan's officer Hunan's; the expert nothing.
    assert section(w.enterprise_user)["count"] == 2
    (mine,) = section(w.institution_user)["items"]
    assert mine["url"] == not_answered.get_absolute_url()
    assert listed(w.institution_user, section(w.institution_user)["url"]) == {mine["url"]}
    assert [i["url"] for i in section(w.hunan_officer)["items"]] == [hunan.get_absolute_url()]
    assert section(w.expert_user) is None
    # Judged on another day: what was late when that day began. The day before, nothing yet; the
    # day after, the request filed yesterday too.
    assert section(w.officer, DAY - datetime.timedelta(days=1)) is None
    later = section(w.officer, DAY + datetime.timedelta(days=1))
    assert later["count"] == 3 and fresh.get_absolute_url() in {i["url"] for i in later["items"]}
    assert listed(w.officer, later["url"]) == {i["url"] for i in later["items"]}
