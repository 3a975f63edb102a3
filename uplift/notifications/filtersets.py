"""Filters of a user's notifications, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet

from .handovers import kind_choices
from .models import Notification

READ_STATES = [("unread", _("Unread")), ("read", _("Read"))]


class NotificationFilterSet(BaseFilterSet):
    search_fields = ("title",)
    status = django_filters.ChoiceFilter(
        choices=READ_STATES, method="filter_status", label=_("Read or unread"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(choices=kind_choices, label=_("Kind"))

    class Meta:
        model = Notification
        fields = ["status", "kind"]

    def filter_status(self, qs, name, value):
        if value == "unread":
            return qs.filter(read_at__isnull=True)
        if value == "read":
            return qs.filter(read_at__isnull=False)
        return qs
