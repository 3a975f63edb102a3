"""The table of a user's notifications (the list page and its xlsx export)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable

from .models import Notification


class NotificationTable(BaseTable):
    kind = tables.Column(verbose_name=_("Kind"), accessor="kind_label", orderable=False)
    title = tables.Column(linkify=True)
    actor = tables.Column(verbose_name=_("By"))
    read_at = tables.Column(verbose_name=_("Read at"))

    class Meta(BaseTable.Meta):
        model = Notification
        fields = ("kind", "title", "actor", "created_at", "read_at")
        empty_text = _("No notifications.")
