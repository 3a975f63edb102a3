"""The notifications' background task: e-mailing them through Django's e-mail backend.

Queued once the notifications' transaction commits (:func:`.services.notifications_create`), run
by ``uplift db_worker``; on Django 6 the import below becomes ``from django.tasks import task``.
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_emails(notification_ids: list[int]) -> int:
    """E-mail the notifications ``notification_ids`` not e-mailed yet; how many were sent."""
    from .services import emails_send

    return emails_send(notification_ids=notification_ids)
