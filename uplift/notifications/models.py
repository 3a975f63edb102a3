"""Notifications: a user's news of the workflow steps that hand something over to them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

#: The kind of the daily digest of overdue work (the other kinds are the audit actions of the
#: hand-overs in :mod:`uplift.notifications.handovers`).
DIGEST = "notifications.digest"


class Notification(ScopedModel):
    """One piece of news for one user: a step of a workflow handed something over to them (an
    activity submitted for their approval, their bid's lot awarded, a self-assessment returned), or
    the daily digest of what is overdue in their scope.

    ``kind`` is the audit action of the step (``delivery.activity.submit``) or ``DIGEST``. The
    record it is about is named three ways: its content type and id, and, stored as text when the
    step happens, its URL and title, so a user's list never joins the tables of every app. Only its
    recipient reads it (``uplift.accounts.access``). ``read_at`` is set when they open it,
    ``emailed_at`` when the background worker has e-mailed it.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=80, editable=False)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("record type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=300, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=255, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    #: What the step left for the recipient to read (a return reason), or the digest's sections.
    data = models.JSONField(_("details"), default=dict, blank=True, editable=False)
    #: Makes a notification unique for its recipient (``digest:2026-12-01``: one digest a day).
    key = models.CharField(_("key"), max_length=60, blank=True, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # Unread first (newest first), then those read, the most recently read first.
        ordering = [F("read_at").desc(nulls_first=True), "-created_at", "-id"]
        indexes = [
            # "My unread, newest first" and the header's unread count read this index only.
            models.Index(fields=["recipient", "-read_at", "-created_at"], name="notification_inbox_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} · {self.title}"

    @property
    def kind_label(self) -> str:
        from .handovers import kind_label

        return str(kind_label(self.kind))

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def target_url(self) -> str:
        """Where opening the notification leads: its record, or its own page (a digest)."""
        return self.url or self.get_absolute_url()

    def get_open_url(self) -> str:
        from django.urls import reverse

        return reverse("notifications:notification_open", args=[self.pk])

    def details(self) -> list[tuple[str, Any]]:
        """What the step left for the recipient (a return reason), as (label, value), labelled by
        the record's field names in the reader's language."""
        model = self.content_type.model_class() if self.content_type_id else None
        out = []
        for name, value in (self.data or {}).items():
            if name in ("sections", "day"):
                continue
            label: Any = name
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - a field renamed since: show its name
                    field = None
                if field is not None:
                    label = field.verbose_name
                    value = dict(field.flatchoices).get(value, value) if field.choices else value
            out.append((str(label), str(value)))
        return out

    def sections(self) -> list[dict[str, Any]]:
        """A digest's sections, labelled in the reader's language."""
        from .digest import sections_of

        return sections_of(self)
