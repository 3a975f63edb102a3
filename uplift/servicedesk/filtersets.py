"""Filters of the one-stop service's lists, shared by pages and the API. The dashboard's figures
link here: ``?answered_on_time=true&region=420100&since=2018-01-01`` is exactly what a figure
counts; the daily digest of overdue work (notifications) links to ``?overdue_on=<day>``."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter

from . import selectors
from .choices import Channel, RequestStatus, Topic
from .models import ResponseTarget, RoutingRule, ServiceRequest


class ServiceRequestFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "enterprise__name", "enterprise__credit_code")
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("Status"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    region = RegionFilter(field_name="region_id", label=_("Enterprise's region code"))
    enterprise = IntegerFilter(field_name="enterprise_id", label=_("Enterprise"))
    cluster = IntegerFilter(field_name="cluster_id", label=_("Cluster"))
    station = IntegerFilter(field_name="station_id", label=_("Service station"))
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))
    expert = IntegerFilter(field_name="expert_id", label=_("Expert"))
    unrouted = django_filters.BooleanFilter(method="filter_unrouted", label=_("Not routed yet"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    overdue_on = django_filters.DateFilter(method="filter_overdue_on", label=_("Overdue when the day began"))
    responded = django_filters.BooleanFilter(
        field_name="accepted_at", lookup_expr="isnull", exclude=True, label=_("Responded to")
    )
    answered = django_filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )
    answered_on_time = django_filters.BooleanFilter(method="filter_on_time", label=_("Answered on time"))
    rated = django_filters.BooleanFilter(
        field_name="satisfaction", lookup_expr="isnull", exclude=True, label=_("Rated")
    )
    since = django_filters.DateFilter(field_name="filed_at", lookup_expr="date__gte", label=_("Filed from"))
    until = django_filters.DateFilter(field_name="filed_at", lookup_expr="date__lte", label=_("Filed until"))

    class Meta:
        model = ServiceRequest
        fields = ["status", "topic", "channel", "region"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = selectors.overdue_q()
        return qs.filter(late) if value else qs.exclude(late)

    def filter_overdue_on(self, qs, name, value):
        """Still open, and overdue at the start of the day ``value``: the daily digest's section."""
        if value is None:
            return qs
        start = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        return qs.filter(selectors.overdue_q(start))

    def filter_on_time(self, qs, name, value):
        """True: answered by the due time; False: answered late (unanswered requests are neither)."""
        if value is None:
            return qs
        on_time = selectors.answered_on_time_q()
        return qs.filter(on_time) if value else qs.filter(answered_at__isnull=False).exclude(on_time)

    def filter_unrouted(self, qs, name, value):
        if value is None:
            return qs
        none = {"station__isnull": True, "institution__isnull": True, "expert__isnull": True}
        return qs.filter(**none) if value else qs.exclude(**none)


class ResponseTargetFilterSet(BaseFilterSet):
    region = RegionFilter(field_name="region_id")
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))

    class Meta:
        model = ResponseTarget
        fields = ["region", "topic"]


class RoutingRuleFilterSet(BaseFilterSet):
    search_fields = ("name",)
    region = RegionFilter(field_name="region_id")
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = RoutingRule
        fields = ["region", "topic", "is_active"]
