"""Pages of the one-stop service: requests with their workflow, routing rules, response targets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from uplift.core.views import Action, ObjectViews

from . import filtersets, forms, services, tables
from .choices import OPEN_STATES, RequestStatus
from .models import ResponseTarget, RoutingRule, ServiceRequest
from .services import can_convert, is_answerer, is_officer_for, is_requester


def _in(*states: str, who):
    return lambda obj, user: obj.status in states and who(user, obj)


request_views = ObjectViews(
    model=ServiceRequest,
    table=tables.ServiceRequestTable,
    filterset=filtersets.ServiceRequestFilterSet,
    form=forms.ServiceRequestForm,
    services=services,
    service_prefix="request",
    select_related=("enterprise", "region", "cluster", "station", "institution", "expert"),
    detail_fields=[
        "enterprise",
        "region",
        "cluster",
        "topic",
        "title",
        "description",
        "channel",
        "status",
        "filed_by",
        "filed_at",
        "station",
        "institution",
        "expert",
        "routed_by",
        "response_due_at",
        "accepted_at",
        "started_at",
        "answer_due_at",
        "answered_at",
        "answer",
        "answered_by",
        "closed_at",
        "satisfaction",
        "comment",
        "withdrawal_reason",
        "problem",
        "activity",
    ],
    detail_template="servicedesk/servicerequest_detail.html",
    can_edit=lambda obj, user: obj.status == RequestStatus.SUBMITTED and is_requester(user, obj),
    actions=[
        Action(
            "route",
            gettext_lazy("Route"),
            services.request_route,
            "request",
            form=forms.RouteForm,
            when=lambda obj, user: (
                obj.status == RequestStatus.SUBMITTED and is_officer_for(user, obj.region_id)
            ),
            help=gettext_lazy(
                "Send the request to a station, an institution or an expert serving its region."
            ),
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            services.request_accept,
            "request",
            when=_in(RequestStatus.SUBMITTED, who=is_answerer),
            help=gettext_lazy("The first response: the enterprise knows its request is taken on."),
        ),
        Action(
            "start",
            gettext_lazy("Start work"),
            services.request_start,
            "request",
            when=_in(RequestStatus.ACCEPTED, who=is_answerer),
        ),
        Action(
            "answer",
            gettext_lazy("Answer"),
            services.request_answer,
            "request",
            form=forms.AnswerForm,
            when=_in(RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS, who=is_answerer),
        ),
        Action(
            "close",
            gettext_lazy("Close and rate"),
            services.request_close,
            "request",
            form=forms.CloseForm,
            when=_in(RequestStatus.ANSWERED, who=is_requester),
            help=gettext_lazy("How satisfied the enterprise is with the answer, from 1 to 5."),
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw"),
            services.request_withdraw,
            "request",
            form=forms.WithdrawForm,
            danger=True,
            when=_in(*OPEN_STATES, who=is_requester),
        ),
        Action(
            "to_problem",
            gettext_lazy("Record as a quality problem"),
            services.request_to_problem,
            "request",
            form=forms.ToProblemForm,
            when=lambda obj, user: can_convert(user, obj, "problem"),
            help=gettext_lazy("A problem to correct, followed in a service project or by the bureau."),
        ),
        Action(
            "to_activity",
            gettext_lazy("Answer with an activity"),
            services.request_to_activity,
            "request",
            form=forms.ToActivityForm,
            when=lambda obj, user: can_convert(user, obj, "activity"),
            help=gettext_lazy(
                "A diagnosis or training in which the enterprise takes part (a draft to complete)."
            ),
        ),
    ],
)

target_views = ObjectViews(
    model=ResponseTarget,
    table=tables.ResponseTargetTable,
    filterset=filtersets.ResponseTargetFilterSet,
    form=forms.ResponseTargetForm,
    services=services,
    service_prefix="response_target",
    select_related=("region",),
    detail_fields=["region", "topic", "response_hours", "answer_days"],
)

rule_views = ObjectViews(
    model=RoutingRule,
    table=tables.RoutingRuleTable,
    filterset=filtersets.RoutingRuleFilterSet,
    form=forms.RoutingRuleForm,
    services=services,
    service_prefix="routing_rule",
    select_related=("region", "cluster", "station", "institution", "expert"),
    detail_fields=[
        "name",
        "region",
        "topic",
        "cluster",
        "station",
        "institution",
        "expert",
        "priority",
        "is_active",
    ],
)
