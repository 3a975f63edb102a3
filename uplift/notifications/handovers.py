"""Every hand-over between parties in a workflow, and who hears of it: declared once, here.

A workflow step is audited under ``<app>.<model>.<verb>`` (``delivery.activity.submit``) by
:func:`uplift.core.audit.record`, the path every service's write passes through. Core then calls
:func:`after_step` (named by ``settings.UPLIFT_STEP_HOOK``, so core imports nothing of this app
and no domain app imports it either). A step listed in :data:`HANDOVERS` is scheduled with
``transaction.on_commit``: once the step's transaction commits, its recipients are read with one
set-based query (:mod:`.selectors`) and their notifications written in one insert; a step rolled
back notifies no one. The actor is never notified of their own step.

An app adds a hand-over with one line: ``("<app>.<model>", "<verb>"): Handover(label, who)``,
where ``who(record)`` returns a ``Q`` over users built from the selectors (docs/notifications.md).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import selectors as s
from .models import DIGEST

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handover:
    """One hand-over: what the recipient is told, and who they are (``who(record) -> Q``)."""

    label: Any
    who: Callable[[Any], Q]
    #: what of the record the recipient reads in the notification (a return reason): field names
    details: tuple[str, ...] = ()


# --- Recipients that need more than the record's own columns (one subquery each) ---------------


def _bidders(**lookup: Any) -> Q:
    """The staff of every institution with a bid (not withdrawn) matching ``lookup``: winners
    and the others alike."""
    Bid = apps.get_model("procurement", "Bid")
    return s.institution_staff(
        Bid.objects.filter(**lookup).exclude(status="withdrawn").values("institution_id")
    )


def _project_officers(project: Any) -> Q:
    """The officers over a service project's pilot cluster (who accept and grade it)."""
    return s.officers_over(project.pilot.cluster.region_id)


def _project_institution(project_id: int) -> Q:
    ServiceProject = apps.get_model("delivery", "ServiceProject")
    return s.institution_staff(ServiceProject.objects.filter(pk=project_id).values("institution_id"))


def _entered(record: Any) -> Q:
    """The institution that delivers the record and whoever submitted it (the bureau's own
    activities and claims have no institution)."""
    return s.institution_staff(record.institution_id) | s.user(record.submitted_by_id)


def _answerers(request: Any) -> Q:
    """Whoever answers a service request: its assignee's staff (none while it is unrouted; an
    unrouted request waits in the officers' *my work*)."""
    return s.request_answerers(request.pk)


#: (model label, audit verb) -> Handover. Keep the groups in workflow order.
HANDOVERS: dict[tuple[str, str], Handover] = {
    # Delivery: activities, problems, benefit claims, projects, acceptance.
    ("delivery.activity", "submit"): Handover(
        _("Activity submitted for approval"), lambda a: s.officers_over(a.region_id)
    ),
    ("delivery.activity", "return"): Handover(_("Activity returned"), _entered, ("return_reason",)),
    ("delivery.activity", "approve"): Handover(_("Activity approved"), _entered),
    ("delivery.problem", "create"): Handover(
        _("Quality problem found at your enterprise"),
        lambda p: s.enterprise_users(p.enterprise_id),
        ("deadline",),
    ),
    ("delivery.problem", "reopen"): Handover(
        _("Correction not accepted: problem reopened"),
        lambda p: s.enterprise_users(p.enterprise_id),
        ("verification_note",),
    ),
    ("delivery.problem", "verify"): Handover(
        _("Correction verified: problem closed"), lambda p: s.enterprise_users(p.enterprise_id)
    ),
    ("delivery.benefit", "submit"): Handover(
        _("Benefit claim submitted for verification"), lambda b: s.officers_over(b.region_id)
    ),
    ("delivery.benefit", "verify"): Handover(_("Benefit claim verified"), _entered),
    ("delivery.benefit", "reject"): Handover(_("Benefit claim rejected"), _entered, ("verification_note",)),
    ("delivery.serviceproject", "submit"): Handover(_("Project submitted for acceptance"), _project_officers),
    ("delivery.acceptancereview", "assign"): Handover(
        _("You are on an acceptance panel"), lambda r: s.experts(r.expert_id)
    ),
    ("delivery.acceptancereview", "submit"): Handover(
        _("Expert review submitted"), lambda r: _project_officers(r.acceptance.project)
    ),
    ("delivery.acceptance", "grade"): Handover(
        _("Project graded at acceptance"), lambda a: _project_institution(a.project_id), ("grade",)
    ),
    ("delivery.acceptance", "publish"): Handover(
        _("Acceptance grade published"), lambda a: _project_institution(a.project_id), ("bulletin_number",)
    ),
    # Procurement: questions, the panel, disqualification, awards, contracts.
    ("procurement.clarification", "create"): Handover(
        _("Question asked about a tender"), lambda c: s.officers_over(c.tender.programme.region_id)
    ),
    ("procurement.clarification", "answer"): Handover(
        _("Your question was answered"), lambda c: s.institution_staff(c.asked_by_id)
    ),
    ("procurement.panelmember", "create"): Handover(
        _("You are on a tender's evaluation panel"), lambda m: s.experts(m.expert_id)
    ),
    ("procurement.bid", "disqualify"): Handover(
        _("Bid disqualified"), lambda b: s.institution_staff(b.institution_id), ("disqualified_reason",)
    ),
    ("procurement.award", "create"): Handover(
        _("Lot awarded"), lambda a: _bidders(lot_id=a.lot_id), ("amount",)
    ),
    ("procurement.lot", "fail"): Handover(_("Lot unsuccessful"), lambda lot: _bidders(lot_id=lot.pk)),
    ("procurement.tender", "cancel"): Handover(
        _("Tender cancelled"), lambda t: _bidders(lot__tender_id=t.pk), ("closing_reason",)
    ),
    ("procurement.contract", "create"): Handover(
        _("Contract signed"), lambda c: s.institution_staff(c.institution_id)
    ),
    # Excellence model: self-assessments, expert panels, benchmarks.
    ("excellence.selfassessment", "submit"): Handover(
        _("Self-assessment submitted for review"), lambda a: s.officers_over(a.region_id)
    ),
    ("excellence.selfassessment", "return"): Handover(
        _("Self-assessment returned"), lambda a: s.enterprise_users(a.enterprise_id), ("comments",)
    ),
    ("excellence.selfassessment", "accept"): Handover(
        _("Self-assessment accepted"), lambda a: s.enterprise_users(a.enterprise_id)
    ),
    ("excellence.expertreview", "assign"): Handover(
        _("You are on an expert assessment panel"), lambda r: s.experts(r.expert_id)
    ),
    ("excellence.expertreview", "submit"): Handover(
        _("Expert review submitted"), lambda r: s.officers_over(r.assessment.region_id)
    ),
    ("excellence.expertassessment", "complete"): Handover(
        _("Expert assessment completed: feedback ready"), lambda a: s.enterprise_users(a.enterprise_id)
    ),
    ("excellence.benchmark", "approve"): Handover(
        _("Named a quality benchmark enterprise"), lambda b: s.enterprise_users(b.enterprise_id)
    ),
    ("excellence.benchmark", "revoke"): Handover(
        _("Benchmark title withdrawn"), lambda b: s.enterprise_users(b.enterprise_id), ("revoked_reason",)
    ),
    # One-stop service: requests to their assignee (routed by rule or by hand), the answer to the
    # enterprise, its end (withdrawn; closed with the rating) back to the assignee.
    ("servicedesk.servicerequest", "create"): Handover(_("New service request for you"), _answerers),
    ("servicedesk.servicerequest", "route"): Handover(
        _("Service request routed to you by the bureau"), _answerers
    ),
    ("servicedesk.servicerequest", "answer"): Handover(
        _("Your service request was answered"), lambda r: s.enterprise_users(r.enterprise_id)
    ),
    ("servicedesk.servicerequest", "withdraw"): Handover(
        _("Service request withdrawn by the enterprise"),
        _answerers,
        ("withdrawal_reason",),
    ),
    ("servicedesk.servicerequest", "close"): Handover(
        _("Service request closed and rated"),
        _answerers,
        ("satisfaction", "comment"),
    ),
}


def kind_label(kind: str) -> Any:
    """What a notification of ``kind`` (an audit action, or the digest) tells its reader."""
    if kind == DIGEST:
        return _("Overdue work")
    label, _dot, verb = kind.rpartition(".")
    handover = HANDOVERS.get((label, verb))
    return handover.label if handover is not None else kind


def kind_choices() -> list[tuple[str, Any]]:
    """Every kind, for the list's filter."""
    return [(f"{label}.{verb}", h.label) for (label, verb), h in HANDOVERS.items()] + [
        (DIGEST, kind_label(DIGEST))
    ]


# --- The hook ------------------------------------------------------------------------------------


def after_step(*, action: str, obj: models.Model | None, actor: Any, object_repr: str = "") -> None:
    """Called by :func:`uplift.core.audit.record` inside the step's transaction: if the step is a
    hand-over, notify its recipients once (and only if) the transaction commits."""
    if obj is None or obj.pk is None:
        return
    label, _dot, verb = action.rpartition(".")
    handover = HANDOVERS.get((label, verb))
    if handover is None:
        return
    step = Step(
        kind=action,
        record=obj,
        title=(object_repr or str(obj))[:255],
        actor_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
        details={name: _plain(getattr(obj, name, None)) for name in handover.details},
    )
    # robust: a failure to notify is logged, never turned into an error of the committed step.
    transaction.on_commit(functools.partial(deliver, step, handover), robust=True)


def _plain(value: Any) -> Any:
    from uplift.core.audit import plain

    value = plain(value)
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


@dataclass
class Step:
    """A committed hand-over, as remembered from inside its transaction."""

    kind: str
    record: models.Model
    title: str
    actor_id: int | None
    details: dict[str, Any]


def _url_of(record: models.Model) -> str:
    from django.urls import NoReverseMatch

    try:
        return record.get_absolute_url()  # type: ignore[attr-defined]
    except (AttributeError, NoReverseMatch):
        return ""


def deliver(step: Step, handover: Handover) -> list[Any]:
    """Write the notifications of a committed hand-over, one per recipient, and queue their
    e-mails; returns them."""
    from .services import notifications_create

    found = list(s.recipients(handover.who(step.record), actor_id=step.actor_id))
    if not found:
        return []
    return notifications_create(
        recipients=found,
        kind=step.kind,
        record=step.record,
        url=_url_of(step.record),
        title=step.title,
        actor_id=step.actor_id,
        data={k: v for k, v in step.details.items() if v not in (None, "")},
    )
