"""Every write of the one-stop service: requests and their workflow, and the bureau's routing
rules and response targets.

submitted → accepted (the first response) → in progress → answered → closed with the enterprise's
rating; withdrawn by the enterprise before the answer. Who acts:

* the enterprise's own users file, edit (while submitted), withdraw and close with a rating;
* the assignee's staff — the assigned institution, the institution operating the assigned
  station, the assigned expert — accept, start, answer and convert into a problem or activity;
* a bureau officer of the enterprise's region does all of it for their area, and routes by hand.

Workflow services take ``at=`` so the demo and tests can replay a timeline; pages and the API never
let a user set it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of, region_prefix
from uplift.core import audit
from uplift.core.services import (
    check_enterprise,
    create_object,
    is_system,
    locked,
    now_or,
    require_state,
    save_step,
    update_object,
)

from .choices import OPEN_STATES, Channel, RequestStatus
from .models import (
    ASSIGNEE_FIELDS,
    DEFAULT_ANSWER_DAYS,
    DEFAULT_RESPONSE_HOURS,
    ResponseTarget,
    RoutingRule,
    ServiceRequest,
)

refused = audit.refusals_recorded


def _what() -> str:
    return _("service request")


# --- Who may act -----------------------------------------------------------------------------------


def is_officer_for(actor: Any, region_code: str) -> bool:
    """A bureau officer whose area holds ``region_code`` (or the system)."""
    if is_system(actor):
        return True
    return principal_of(actor).officer_for(region_code)


def is_requester(actor: Any, request: ServiceRequest) -> bool:
    """A user of the requesting enterprise, or an officer of its region acting on its behalf."""
    return request.enterprise_id in principal_of(actor).enterprise_ids or is_officer_for(
        actor, request.region_id
    )


def is_assignee(actor: Any, request: ServiceRequest) -> bool:
    """Staff of whoever the request is routed to: the institution, the station's operator, the
    expert."""
    p = principal_of(actor)
    if request.institution_id and request.institution_id in p.institution_ids:
        return True
    if (
        request.station_id
        and request.station.operator_id
        and request.station.operator_id in p.institution_ids
    ):
        return True
    return bool(request.expert_id and request.expert_id in p.expert_ids)


def is_answerer(actor: Any, request: ServiceRequest) -> bool:
    """The assignee's staff, or an officer of the region."""
    return is_assignee(actor, request) or is_officer_for(actor, request.region_id)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise ValidationError(message, code="role")


def _require_officer_for(actor: Any, region: Any) -> None:
    code = getattr(region, "code", region)
    _require(
        bool(code) and is_officer_for(actor, code),
        _("Only a bureau officer of this region sets the one-stop service's rules and targets."),
    )


# --- Targets and routing ---------------------------------------------------------------------------


def _ancestors(code: str) -> list[str]:
    """The region and those above it, most specific first: 420102, 420100, 420000."""
    code = str(code)
    return list(dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]))


def target_for(region_code: str, topic: str) -> tuple[int, int]:
    """(hours to first response, days to answer) for a request of ``topic`` from ``region_code``:
    the most specific region's target, else the defaults."""
    found = {
        t.region_id: t
        for t in ResponseTarget.objects.filter(region_id__in=_ancestors(region_code), topic=topic)
    }
    for code in _ancestors(region_code):
        if code in found:
            return found[code].response_hours, found[code].answer_days
    return DEFAULT_RESPONSE_HOURS, DEFAULT_ANSWER_DAYS


def rule_for(*, region_code: str, topic: str, cluster_id: int | None) -> RoutingRule | None:
    """The active rule a request goes by: of those matching it, the most specific (a named cluster,
    then the narrower region, then a named topic), then the highest priority."""
    candidates = RoutingRule.objects.filter(
        is_active=True, region__code__startswith=region_code[:2]
    ).select_related("station", "institution", "expert")
    matching = [
        r
        for r in candidates
        if region_code.startswith(region_prefix(r.region_id))
        and r.topic in ("", topic)
        and (r.cluster_id is None or r.cluster_id == cluster_id)
    ]
    return max(matching, key=lambda r: (*r.specificity(), -r.pk), default=None)


def _due(filed_at: datetime.datetime, region_code: str, topic: str) -> dict[str, datetime.datetime]:
    hours, days = target_for(region_code, topic)
    return {
        "response_due_at": filed_at + datetime.timedelta(hours=hours),
        "answer_due_at": filed_at + datetime.timedelta(days=days),
    }


# --- Requests --------------------------------------------------------------------------------------


@refused("servicedesk.servicerequest.create")
@transaction.atomic
def request_create(
    *,
    actor: Any,
    enterprise: Any,
    topic: str,
    title: str,
    description: str,
    channel: str = Channel.ONLINE,
    cluster: Any = None,
    at: datetime.datetime | None = None,
    **extra: Any,
) -> ServiceRequest:
    """File an enterprise's request and route it by the bureau's rules (or leave it for an officer
    to route by hand when no rule matches)."""
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose the enterprise making the request.")})
    p = principal_of(actor)
    _require(
        is_system(actor) or enterprise.pk in p.enterprise_ids or p.is_officer,
        _("Only the enterprise, or a bureau officer on its behalf, files a request."),
    )
    check_enterprise(actor, enterprise)
    if cluster is None:
        cluster = enterprise.clusters.order_by("pk").first()
    filed_at = now_or(at)
    topic = topic or ""
    data: dict[str, Any] = {
        "enterprise": enterprise,
        "cluster": cluster,
        "topic": topic,
        "title": (title or "").strip(),
        "description": (description or "").strip(),
        "channel": channel or Channel.ONLINE,
        "filed_at": filed_at,
        "filed_by": actor if getattr(actor, "is_authenticated", False) else None,
        **_due(filed_at, enterprise.region_id, topic),
    }
    if topic:
        rule = rule_for(
            region_code=enterprise.region_id, topic=topic, cluster_id=getattr(cluster, "pk", None)
        )
        if rule is not None:
            data["routed_by"] = rule
            data.update({name: getattr(rule, name) for name in ASSIGNEE_FIELDS})
    return create_object(ServiceRequest, actor=actor, data=data)


@refused("servicedesk.servicerequest.update")
@transaction.atomic
def request_update(*, actor: Any, instance: ServiceRequest, **data: Any) -> ServiceRequest:
    """Correct a request's topic, title or description while it waits to be accepted."""
    _require(
        is_requester(actor, instance), _("Only the enterprise, or a bureau officer, changes its request.")
    )
    require_state(instance, (RequestStatus.SUBMITTED,), what=_what())
    enterprise = data.pop("enterprise", None)
    if enterprise is not None and enterprise != instance.enterprise:
        raise ValidationError({"enterprise": _("A request stays with the enterprise that made it.")})
    data = {
        k: v
        for k, v in data.items()
        if k in ("topic", "title", "description", "channel", "cluster", "version")
    }
    for name in ("title", "description"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if data.get("topic") and data["topic"] != instance.topic:
        data.update(_due(instance.filed_at, instance.region_id, data["topic"]))
    return update_object(instance, actor=actor, data=data)


@refused("servicedesk.servicerequest.route")
@transaction.atomic
def request_route(
    *, actor: Any, request: ServiceRequest, station: Any = None, institution: Any = None, expert: Any = None
) -> ServiceRequest:
    """Send a request waiting to be accepted to a station, an institution or an expert, by hand."""
    request = locked(request)
    _require(
        is_officer_for(actor, request.region_id),
        _("Only a bureau officer of the enterprise's region routes a request."),
    )
    require_state(request, (RequestStatus.SUBMITTED,), what=_what())
    chosen = {"station": station, "institution": institution, "expert": expert}
    if sum(v is not None for v in chosen.values()) != 1:
        raise ValidationError(
            {"institution": _("Choose exactly one: a station, an institution or an expert.")}
        )
    before = audit.snapshot(request)
    for name, value in chosen.items():
        setattr(request, name, value)
    request.routed_by = None
    save_step(request, actor=actor, verb="route", before=before)
    return request


def _not_before(moment: datetime.datetime, earlier: datetime.datetime | None) -> None:
    if earlier is not None and moment < earlier:
        raise ValidationError(_("A step cannot come before the one it follows (%(at)s).") % {"at": earlier})


def _step(
    actor: Any,
    request: ServiceRequest,
    *,
    verb: str,
    refusal: str,
    states: tuple[str, ...],
    to: str,
    stamp: str,
    after: tuple[str, ...],
    at: datetime.datetime | None,
    invalid: ValidationError | None = None,
    who: Callable[[Any, ServiceRequest], bool] = is_answerer,
    **changes: Any,
) -> ServiceRequest:
    """One step of the request's workflow, taken by ``who`` (whoever answers it — the assignee's
    staff, or an officer of its region — unless told: ``is_requester`` for the enterprise's own
    steps), checked in the order every step keeps: the row locked; anyone else refused with
    ``refusal``; ``invalid`` raised (inputs that do not hold); a request not in ``states``
    refused. Then the moment is stamped on ``stamp`` — never before the first of the ``after``
    times that is set — ``changes`` applied, the status moved ``to``, and the step saved and
    audited as ``verb``."""
    request = locked(request)
    _require(who(actor, request), refusal)
    if invalid is not None:
        raise invalid
    require_state(request, states, what=_what())
    before = audit.snapshot(request)
    moment = now_or(at)
    setattr(request, stamp, moment)
    _not_before(moment, next((t for t in (getattr(request, f) for f in after) if t is not None), None))
    for name, value in changes.items():
        setattr(request, name, value)
    request.status = to
    save_step(request, actor=actor, verb=verb, before=before)
    return request


@refused("servicedesk.servicerequest.accept")
@transaction.atomic
def request_accept(
    *, actor: Any, request: ServiceRequest, at: datetime.datetime | None = None
) -> ServiceRequest:
    """Take the request on: the first response to the enterprise, measured against its target."""
    return _step(
        actor,
        request,
        verb="accept",
        refusal=_("Only whoever the request is routed to, or the bureau, accepts it."),
        states=(RequestStatus.SUBMITTED,),
        to=RequestStatus.ACCEPTED,
        stamp="accepted_at",
        after=("filed_at",),
        at=at,
    )


@refused("servicedesk.servicerequest.start")
@transaction.atomic
def request_start(
    *, actor: Any, request: ServiceRequest, at: datetime.datetime | None = None
) -> ServiceRequest:
    """Start the work: a test scheduled, a visit booked."""
    return _step(
        actor,
        request,
        verb="start",
        refusal=_("Only whoever the request is routed to, or the bureau, works on it."),
        states=(RequestStatus.ACCEPTED,),
        to=RequestStatus.IN_PROGRESS,
        stamp="started_at",
        after=("accepted_at",),
        at=at,
    )


@refused("servicedesk.servicerequest.answer")
@transaction.atomic
def request_answer(
    *, actor: Any, request: ServiceRequest, answer: str, at: datetime.datetime | None = None
) -> ServiceRequest:
    """Give the enterprise its answer; it then closes the request with its rating."""
    text = (answer or "").strip()
    return _step(
        actor,
        request,
        verb="answer",
        refusal=_("Only whoever the request is routed to, or the bureau, answers it."),
        invalid=None if text else ValidationError({"answer": _("Write the answer given to the enterprise.")}),
        states=(RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS),
        to=RequestStatus.ANSWERED,
        stamp="answered_at",
        after=("started_at", "accepted_at"),
        at=at,
        answer=text,
        answered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@refused("servicedesk.servicerequest.close")
@transaction.atomic
def request_close(
    *,
    actor: Any,
    request: ServiceRequest,
    satisfaction: Any,
    comment: str = "",
    at: datetime.datetime | None = None,
) -> ServiceRequest:
    """The enterprise closes its answered request with its satisfaction (1–5) and a comment."""
    try:
        rating = int(satisfaction)
    except (TypeError, ValueError):
        rating = None
    valid = rating is not None and str(satisfaction).strip() == str(rating) and 1 <= rating <= 5
    return _step(
        actor,
        request,
        verb="close",
        who=is_requester,
        refusal=_("Only the enterprise, or a bureau officer on its behalf, closes it."),
        invalid=None
        if valid
        else ValidationError({"satisfaction": _("Rate the service from 1 (poor) to 5 (excellent).")}),
        states=(RequestStatus.ANSWERED,),
        to=RequestStatus.CLOSED,
        stamp="closed_at",
        after=("answered_at",),
        at=at,
        satisfaction=rating,
        comment=(comment or "").strip(),
    )


@refused("servicedesk.servicerequest.withdraw")
@transaction.atomic
def request_withdraw(
    *, actor: Any, request: ServiceRequest, reason: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """The enterprise no longer needs the service: the request ends before it is answered."""
    return _step(
        actor,
        request,
        verb="withdraw",
        who=is_requester,
        refusal=_("Only the enterprise, or a bureau officer on its behalf, withdraws it."),
        states=OPEN_STATES,
        to=RequestStatus.WITHDRAWN,
        stamp="closed_at",
        after=(),
        at=at,
        withdrawal_reason=(reason or "").strip(),
    )


#: A request becomes a problem or an activity once taken on, and not after it was withdrawn.
CONVERTIBLE = (
    RequestStatus.ACCEPTED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.ANSWERED,
    RequestStatus.CLOSED,
)


def can_convert(actor: Any, request: ServiceRequest, what: str) -> bool:
    """The assigned institution's staff or an officer, holding the right to add ``what``; once."""
    if getattr(request, what + "_id") or request.status not in CONVERTIBLE:
        return False
    p = principal_of(actor)
    staff = (
        is_system(actor)
        or is_officer_for(actor, request.region_id)
        or (is_assignee(actor, request) and bool(p.institution_ids))
    )
    return staff and (is_system(actor) or actor.has_perm(f"delivery.add_{what}"))


def _require_convert(actor: Any, request: ServiceRequest, what: str) -> ServiceRequest:
    request = locked(request)
    require_state(request, CONVERTIBLE, what=_what())
    if getattr(request, what + "_id"):
        raise ValidationError(_("This request has already been turned into one."), code="state")
    _require(
        can_convert(actor, request, what),
        _("Only the institution the request is routed to, or the bureau, turns it into project work."),
    )
    return request


@refused("servicedesk.servicerequest.to_problem")
@transaction.atomic
def request_to_problem(
    *,
    actor: Any,
    request: ServiceRequest,
    category: str,
    severity: str,
    deadline: datetime.date,
    project: Any = None,
    programme: Any = None,
    at: datetime.datetime | None = None,
) -> ServiceRequest:
    """Record the request as a quality problem to correct (through delivery's own service): in a
    project the institution delivers, or, for the bureau, in a programme."""
    from uplift.delivery.services import problem_create

    request = _require_convert(actor, request, "problem")
    before = audit.snapshot(request)
    problem = problem_create(
        actor=actor,
        project=project,
        programme=programme,
        enterprise=request.enterprise,
        cluster=request.cluster,
        institution=request.institution,
        category=category,
        severity=severity,
        found_on=timezone.localtime(now_or(at)).date(),
        description=f"{request.title}：{request.description}",
        deadline=deadline,
    )
    request.problem = problem
    save_step(request, actor=actor, verb="to_problem", before=before)
    return request


@refused("servicedesk.servicerequest.to_activity")
@transaction.atomic
def request_to_activity(
    *,
    actor: Any,
    request: ServiceRequest,
    kind: str,
    held_on: datetime.date,
    place: str,
    project: Any = None,
    programme: Any = None,
    managers: int = 1,
) -> ServiceRequest:
    """Answer the request with an activity (a diagnosis, a training) in which the enterprise takes
    part, through delivery's own services; the activity starts as a draft."""
    from uplift.delivery.services import activity_create, participation_create

    request = _require_convert(actor, request, "activity")
    before = audit.snapshot(request)
    activity = activity_create(
        actor=actor,
        project=project,
        programme=programme,
        cluster=request.cluster,
        region=request.region,
        station=request.station,
        kind=kind,
        held_on=held_on,
        place=(place or "").strip(),
        topic=request.title,
        description=request.description,
    )
    participation_create(actor=actor, activity=activity, enterprise=request.enterprise, managers=managers)
    request.activity = activity
    save_step(request, actor=actor, verb="to_activity", before=before)
    return request


# --- Configuration ---------------------------------------------------------------------------------


@transaction.atomic
def response_target_create(*, actor: Any, **data: Any) -> ResponseTarget:
    """Set a region's service promise for a topic."""
    _require_officer_for(actor, data.get("region") or data.get("region_id"))
    return create_object(ResponseTarget, actor=actor, data=data)


@transaction.atomic
def response_target_update(*, actor: Any, instance: ResponseTarget, **data: Any) -> ResponseTarget:
    """Change a promise; requests already filed keep the due times they were given."""
    _require_officer_for(actor, instance.region_id)
    _require_officer_for(actor, data.get("region") or data.get("region_id") or instance.region_id)
    return update_object(instance, actor=actor, data=data)


@transaction.atomic
def routing_rule_create(*, actor: Any, **data: Any) -> RoutingRule:
    """Add a rule sending a region's new requests to a station, an institution or an expert."""
    _require_officer_for(actor, data.get("region") or data.get("region_id"))
    return create_object(RoutingRule, actor=actor, data=data)


@transaction.atomic
def routing_rule_update(*, actor: Any, instance: RoutingRule, **data: Any) -> RoutingRule:
    """Change (or deactivate) a rule; requests already routed stay where they are."""
    _require_officer_for(actor, instance.region_id)
    _require_officer_for(actor, data.get("region") or data.get("region_id") or instance.region_id)
    return update_object(instance, actor=actor, data=data)
