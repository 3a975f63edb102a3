"""Writes of notifications: creating them for a hand-over or a digest, marking them read, and
e-mailing them.

A notification is the recipient's own bookkeeping, not a programme record: creating one is the
consequence of an audited step (whose entry already says who did what), and opening one changes
nothing anybody else reads, so neither is audited (docs/decisions/0014-notifications-app.md).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

log = logging.getLogger(__name__)


def email_enabled() -> bool:
    """Whether notifications are e-mailed (``UPLIFT_NOTIFY_EMAIL``; on when ``EMAIL_HOST`` is set)."""
    return bool(getattr(settings, "UPLIFT_NOTIFY_EMAIL", False))


def notifications_create(
    *,
    recipients: Iterable[tuple[int, str]],
    kind: str,
    title: str,
    record: models.Model | None = None,
    url: str = "",
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
    key: str = "",
) -> list[Notification]:
    """One notification per ``(user id, e-mail)`` of ``recipients``, in one insert; the e-mails
    of those with an address are queued for the worker once this commits (when e-mail is on)."""
    recipients = list(recipients)
    content_type = ContentType.objects.get_for_model(record) if record is not None else None
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            content_type=content_type,
            object_id=record.pk if record is not None else None,
            url=url[:300],
            title=title[:255],
            actor_id=actor_id,
            data=data or {},
            key=key,
        )
        for user_id, _email in recipients
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        to_mail = [n.pk for n, (_u, email) in zip(created, recipients, strict=True) if email]
        if to_mail and email_enabled():
            transaction.on_commit(lambda: queue_emails(to_mail))
    return created


def queue_emails(ids: list[int]) -> None:
    from .tasks import send_emails

    send_emails.enqueue(notification_ids=ids)


# --- Reading -------------------------------------------------------------------------------------


def notification_open(*, actor: Any, notification: Notification) -> Notification:
    """Mark the recipient's notification read (the first time they open it)."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionError("Only its recipient opens a notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, actor: Any) -> int:
    """Mark every unread notification of ``actor`` read; how many were."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- E-mail --------------------------------------------------------------------------------------


def absolute(url: str) -> str:
    """``url`` on the site's address (``UPLIFT_SITE_URL``), for links in e-mails."""
    base = getattr(settings, "UPLIFT_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


def email_of(notification: Notification) -> EmailMessage:
    """The e-mail of one notification, in the programme's language."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "n": notification,
            "link": absolute(notification.get_absolute_url()),
            "sections": [
                {
                    **s,
                    "link": absolute(s["url"]) if s.get("url") else "",
                    "items": [{**i, "link": absolute(i["url"])} for i in s.get("items", [])],
                }
                for s in notification.sections()
            ],
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip().replace("\n", " ")
        body = render_to_string("notifications/email/body.txt", context)
    return EmailMessage(subject=subject[:200], body=body, to=[notification.recipient.email])


def emails_send(*, notification_ids: Iterable[int], at: datetime.datetime | None = None) -> int:
    """E-mail the given notifications not e-mailed yet whose recipient has an address; set their
    ``emailed_at``. Each is claimed before it is sent, so two workers never send one twice; a
    failed send releases the claim and re-raises (the task fails and says why). How many sent."""
    if not email_enabled():
        return 0
    sent = 0
    pending = (
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "actor")
        .order_by("pk")
    )
    connection = get_connection()
    for notification in pending:
        now = at or timezone.now()
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=now
        ):
            continue  # another worker has it
        try:
            connection.send_messages([email_of(notification)])
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            log.exception("E-mailing notification %s failed", notification.pk)
            raise
        sent += 1
    return sent
