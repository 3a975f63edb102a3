"""Tables of the one-stop service: the lists and their xlsx exports."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable, NumberColumn

from .models import ResponseTarget, RoutingRule, ServiceRequest


class ServiceRequestTable(BaseTable):
    title = tables.Column(linkify=True)
    assignee = tables.Column(verbose_name=_("Routed to"), accessor="assignee", orderable=False)
    overdue = tables.BooleanColumn(verbose_name=_("Overdue"), accessor="is_overdue", orderable=False)
    satisfaction = NumberColumn()

    class Meta(BaseTable.Meta):
        model = ServiceRequest
        fields = (
            "filed_at",
            "enterprise",
            "topic",
            "title",
            "channel",
            "status",
            "assignee",
            "answer_due_at",
            "overdue",
            "satisfaction",
        )

    def render_title(self, value):
        return value if len(value) <= 40 else value[:40] + "…"

    def value_title(self, value):
        return value


class ResponseTargetTable(BaseTable):
    topic = tables.Column(linkify=True)
    response_hours = NumberColumn()
    answer_days = NumberColumn()

    class Meta(BaseTable.Meta):
        model = ResponseTarget
        fields = ("region", "topic", "response_hours", "answer_days")


class RoutingRuleTable(BaseTable):
    name = tables.Column(linkify=True)
    priority = NumberColumn()

    class Meta(BaseTable.Meta):
        model = RoutingRule
        fields = (
            "name",
            "region",
            "topic",
            "cluster",
            "station",
            "institution",
            "expert",
            "priority",
            "is_active",
        )
