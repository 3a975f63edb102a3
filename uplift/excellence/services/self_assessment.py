"""Self-assessments and their workflow.

A self-assessment is written by the enterprise (or by a bureau officer on its behalf, at a service
station's counter, say), submitted, then accepted or returned with comments by an officer of the
enterprise's region."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import is_visible, principal_of
from uplift.core import audit
from uplift.core.services import (
    create_object,
    is_system,
    locked,
    now_or,
    require_officer,
    require_state,
    save_step,
    update_object,
)

from ..choices import OPEN_STATES, SelfAssessmentStatus
from ..models import Item, SelfAssessment, SelfAssessmentItem

refused = audit.refusals_recorded


# --- Who may write -------------------------------------------------------------------------------


def _require_writer(actor: Any, enterprise: Any) -> None:
    """The enterprise's own users, or a bureau officer whose region holds it."""
    if is_system(actor):
        return
    p = principal_of(actor)
    if enterprise.pk in p.enterprise_ids:
        return
    if p.is_officer and is_visible(enterprise, actor):
        return
    raise ValidationError(
        {
            "enterprise": _(
                "Only %(enterprise)s's own users, or a bureau officer of its region, write its "
                "self-assessment."
            )
            % {"enterprise": enterprise}
        },
    )


def _require_reviewer(actor: Any, assessment: SelfAssessment) -> None:
    require_officer(actor, _("Only a bureau officer accepts or returns a self-assessment."))
    if not is_system(actor) and not is_visible(assessment, actor):
        raise ValidationError(_("This self-assessment is outside your region."), code="scope")


# --- Self-assessments ----------------------------------------------------------------------------


@refused("excellence.selfassessment.create")
@transaction.atomic
def self_assessment_create(*, actor: Any, **data: Any) -> SelfAssessment:
    """Open a self-assessment of an enterprise for a year against a framework, with one empty
    entry per item of the framework to fill in."""
    enterprise = data.get("enterprise")
    if enterprise is not None:
        _require_writer(actor, enterprise)
    assessment = create_object(SelfAssessment, actor=actor, data=data)
    items = Item.objects.filter(category__framework=assessment.framework).order_by("category__order", "order")
    SelfAssessmentItem.objects.bulk_create(SelfAssessmentItem(assessment=assessment, item=i) for i in items)
    return assessment


@refused("excellence.selfassessment.update")
@transaction.atomic
def self_assessment_update(*, actor: Any, instance: SelfAssessment, **data: Any) -> SelfAssessment:
    """Change the year or the organisational profile while the self-assessment is being written."""
    _require_writer(actor, instance.enterprise)
    require_state(instance, OPEN_STATES, what=_("self-assessment"))
    for fixed in ("enterprise", "framework"):
        if fixed in data and data[fixed] != getattr(instance, fixed):
            raise ValidationError({fixed: _("Open a new self-assessment instead of changing this.")})
    return update_object(instance, actor=actor, data=data)


def _checked_responses(
    assessment: SelfAssessment, responses: Iterable[tuple[int, int | None, str]]
) -> list[tuple[SelfAssessmentItem, int | None, str]]:
    """Each (item id, percentage, narrative) matched to the assessment's entry, once the framework
    has checked them (:meth:`~uplift.excellence.models.Framework.checked_items`)."""
    responses = list(responses)
    assessment.framework.checked_items(responses, "responses")
    entries = {e.item_id: e for e in assessment.items.select_related("item")}
    return [(entries[i], percent, (narrative or "").strip()) for i, percent, narrative in responses]


def _said(percent: int | None, narrative: str) -> str:
    """An item's response as the audit trail shows it: ``40% · 已建立……``."""
    return f"{'—' if percent is None else f'{percent}%'} · {narrative or '—'}"


@refused("excellence.selfassessment.respond")
@transaction.atomic
def self_assessment_respond(
    *, actor: Any, assessment: SelfAssessment, responses: Iterable[tuple[int, int | None, str]]
) -> SelfAssessment:
    """Write the narrative and the percentage of some or all items (saved as often as needed
    until submitted). A percentage must fall in one of the framework's bands."""
    assessment = locked(assessment)
    _require_writer(actor, assessment.enterprise)
    require_state(assessment, OPEN_STATES, what=_("self-assessment"))
    rows = _checked_responses(assessment, responses)
    before = {e.item.code: _said(e.percent, e.narrative) for e, _p, _n in rows}
    for entry, percent, narrative in rows:
        entry.percent, entry.narrative = percent, narrative
        entry.version += 1
        entry.full_clean()
    SelfAssessmentItem.objects.bulk_update([e for e, _p, _n in rows], ["percent", "narrative", "version"])
    assessment.version += 1
    assessment.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=actor,
        action="excellence.selfassessment.respond",
        obj=assessment,
        before=before,
        after={e.item.code: _said(p, n) for e, p, n in rows},
    )
    return assessment


def total_of(assessment: SelfAssessment) -> Decimal:
    """The sum of the items' points (each its points times its percentage, to 0.1)."""
    entries = assessment.items.select_related("item")
    return sum((e.points or Decimal(0) for e in entries), Decimal(0))


@refused("excellence.selfassessment.submit")
@transaction.atomic
def self_assessment_submit(
    *, actor: Any, assessment: SelfAssessment, at: datetime.datetime | None = None
) -> SelfAssessment:
    """Send the self-assessment to the bureau: every item needs its percentage and narrative."""
    assessment = locked(assessment)
    _require_writer(actor, assessment.enterprise)
    require_state(assessment, OPEN_STATES, what=_("self-assessment"))
    missing = [
        e.item.code
        for e in assessment.items.select_related("item").order_by("item__category__order", "item__order")
        if e.percent is None or not e.narrative.strip()
    ]
    if missing:
        raise ValidationError(
            {
                "responses": _("Give a percentage and a narrative on every item first; missing: %(items)s.")
                % {"items": ", ".join(missing)}
            }
        )
    before = audit.snapshot(assessment)
    assessment.status = SelfAssessmentStatus.SUBMITTED
    assessment.submitted_at = now_or(at)
    assessment.total = total_of(assessment)
    save_step(assessment, actor=actor, verb="submit", before=before)
    return assessment


@refused("excellence.selfassessment.return")
@transaction.atomic
def self_assessment_return(
    *, actor: Any, assessment: SelfAssessment, reason: str, at: datetime.datetime | None = None
) -> SelfAssessment:
    """Send a submitted self-assessment back to the enterprise, saying what to change."""
    assessment = locked(assessment)
    _require_reviewer(actor, assessment)
    require_state(assessment, (SelfAssessmentStatus.SUBMITTED,), what=_("self-assessment"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the enterprise should change.")})
    before = audit.snapshot(assessment)
    assessment.status = SelfAssessmentStatus.RETURNED
    assessment.comments = reason
    save_step(assessment, actor=actor, verb="return", before=before)
    return assessment


@refused("excellence.selfassessment.accept")
@transaction.atomic
def self_assessment_accept(
    *, actor: Any, assessment: SelfAssessment, at: datetime.datetime | None = None
) -> SelfAssessment:
    """Accept a submitted self-assessment: from that day it counts towards adopting the model."""
    assessment = locked(assessment)
    _require_reviewer(actor, assessment)
    require_state(assessment, (SelfAssessmentStatus.SUBMITTED,), what=_("self-assessment"))
    before = audit.snapshot(assessment)
    assessment.status = SelfAssessmentStatus.ACCEPTED
    assessment.accepted_on = timezone.localtime(now_or(at)).date()
    assessment.accepted_by = actor if getattr(actor, "is_authenticated", False) else None
    save_step(assessment, actor=actor, verb="accept", before=before)
    return assessment
