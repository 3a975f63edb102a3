"""The experts' assessment of an enterprise: the bureau forms a panel, each expert scores every
item on their own and submits, the bureau opens the consensus round (items whose experts differ by
more than the threshold are flagged), the panel's agreed percentage, rationale, strengths and
opportunities are recorded per item, and completing it fixes the total."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import is_visible
from uplift.accounts.models import Membership
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
from uplift.delivery.services.acceptance import require_own_review, review_submitted, review_withdrawn

from ..choices import ExpertAssessmentStatus, ReviewStatus, SelfAssessmentStatus
from ..models import ConsensusItem, ExpertAssessment, ExpertItemScore, ExpertReview, Item

refused = audit.refusals_recorded
SCORING, CONSENSUS = ExpertAssessmentStatus.SCORING, ExpertAssessmentStatus.CONSENSUS

#: Consensus rows as the services take them: (item id, percentage, rationale, strengths, opportunities).
ConsensusRow = tuple[int, "int | None", str, str, str]


def _require_officer_of(actor: Any, assessment: ExpertAssessment) -> None:
    require_officer(actor, _("Only a bureau officer runs an expert assessment."))
    if not is_system(actor) and assessment.pk and not is_visible(assessment, actor):
        raise ValidationError(_("This expert assessment is outside your region."), code="scope")


def _check_self_assessment(data: dict[str, Any]) -> None:
    found = data.get("self_assessment")
    if found is None:
        return
    if found.enterprise_id != getattr(data.get("enterprise"), "pk", None):
        raise ValidationError({"self_assessment": _("This self-assessment is another enterprise's.")})
    if found.status != SelfAssessmentStatus.ACCEPTED:
        raise ValidationError({"self_assessment": _("The panel starts from an accepted self-assessment.")})


@refused("excellence.expertassessment.create")
@transaction.atomic
def expert_assessment_create(*, actor: Any, **data: Any) -> ExpertAssessment:
    """Open an expert assessment of an enterprise in the officer's region."""
    require_officer(actor, _("Only a bureau officer runs an expert assessment."))
    enterprise = data.get("enterprise")
    if enterprise is not None and not is_system(actor) and not is_visible(enterprise, actor):
        raise ValidationError({"enterprise": _("%(name)s is outside your region.") % {"name": enterprise}})
    _check_self_assessment(data)
    return create_object(ExpertAssessment, actor=actor, data=data)


@refused("excellence.expertassessment.update")
@transaction.atomic
def expert_assessment_update(*, actor: Any, instance: ExpertAssessment, **data: Any) -> ExpertAssessment:
    """Change the visit date, the threshold, the summary or the self-assessment before completion."""
    _require_officer_of(actor, instance)
    require_state(instance, (SCORING, CONSENSUS), what=_("expert assessment"))
    for fixed in ("enterprise", "framework"):
        if fixed in data and data[fixed] != getattr(instance, fixed):
            raise ValidationError({fixed: _("Open a new expert assessment instead of changing this.")})
    _check_self_assessment({"enterprise": instance.enterprise, **data})
    return update_object(instance, actor=actor, data=data)


def conflict_reason(expert: Any, enterprise: Any) -> str | None:
    """Why ``expert`` may not assess ``enterprise`` (they work for it or belong to it), or None."""
    employer = (expert.employer or "").strip()
    if employer and employer == enterprise.name:
        return _("%(expert)s works for %(enterprise)s.") % {"expert": expert, "enterprise": enterprise}
    if (
        expert.user_id
        and Membership.objects.filter(
            user_id=expert.user_id, organisation__enterprise=enterprise, is_active=True
        ).exists()
    ):
        return _("%(expert)s belongs to %(enterprise)s.") % {"expert": expert, "enterprise": enterprise}
    return None


@refused("excellence.expertassessment.assign")
@transaction.atomic
def expert_assessment_assign(*, actor: Any, assessment: ExpertAssessment, expert: Any) -> ExpertReview:
    """Put a registry expert (with an account, to score online) on the panel. An expert who works
    for the enterprise or belongs to it is refused."""
    assessment = locked(assessment)
    _require_officer_of(actor, assessment)
    require_state(assessment, (SCORING,), what=_("expert assessment"))
    if expert is None:
        raise ValidationError({"expert": _("Choose an expert.")})
    if expert.user_id is None:
        raise ValidationError(
            {"expert": _("%(name)s has no account, so cannot score online.") % {"name": expert}}
        )
    if reason := conflict_reason(expert, assessment.enterprise):
        raise ValidationError({"expert": _("Conflict of interest: %(reason)s") % {"reason": reason}})
    if ExpertReview.objects.filter(assessment=assessment, expert=expert).exists():
        raise ValidationError({"expert": _("%(name)s is already on this panel.") % {"name": expert}})
    return create_object(
        ExpertReview,
        actor=actor,
        data={
            "assessment": assessment,
            "expert": expert,
            "assigned_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
        verb="assign",
    )


@refused("excellence.expertreview.score")
@transaction.atomic
def expert_review_score(
    *, actor: Any, review: ExpertReview, scores: Iterable[tuple[int, int | None, str]], opinion: str = ""
) -> ExpertReview:
    """The expert's own percentage and reasons on some or all items (saved as often as they like
    until they submit); an item left without a percentage keeps none."""
    review = locked(review)
    require_own_review(actor, review)
    require_state(review, (ReviewStatus.ASSIGNED,), what=_("expert's review"))
    require_state(review.assessment, (SCORING,), what=_("expert assessment"))
    rows = list(scores)
    items = review.assessment.framework.checked_items(rows, "scores")
    before = {s.item.code: f"{s.percent}% · {s.comment}" for s in review.scores.select_related("item")}
    # The items given replace their earlier scores: two statements, however many items.
    ExpertItemScore.objects.filter(review=review, item_id__in=[i for i, _p, _c in rows]).delete()
    ExpertItemScore.objects.bulk_create(
        ExpertItemScore(review=review, item_id=i, percent=p, comment=(c or "").strip())
        for i, p, c in rows
        if p is not None
    )
    review.opinion = (opinion or "").strip()
    review.version += 1
    review.save(update_fields=["opinion", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="excellence.expertreview.score",
        obj=review,
        before=before,
        after={items[i].code: f"{p}% · {c}" for i, p, c in rows if p is not None},
    )
    return review


@refused("excellence.expertreview.submit")
@transaction.atomic
def expert_review_submit(
    *, actor: Any, review: ExpertReview, no_conflict: bool, at: datetime.datetime | None = None
) -> ExpertReview:
    """Submit the review: every item scored, no conflict of interest declared. Final — the bureau
    now reads the scores, and the expert the other submitted reviews."""
    review = locked(review)
    require_own_review(actor, review)
    require_state(review, (ReviewStatus.ASSIGNED,), what=_("expert's review"))
    if not no_conflict:
        raise ValidationError(
            {
                "no_conflict": _(
                    "Declare that you have no conflict of interest with %(enterprise)s, or ask the "
                    "bureau to withdraw you from the panel."
                )
                % {"enterprise": review.assessment.enterprise}
            }
        )
    scored = set(review.scores.values_list("item_id", flat=True))
    missing = [
        i.code
        for i in Item.objects.filter(category__framework=review.assessment.framework_id).order_by(
            "category__order", "order"
        )
        if i.pk not in scored
    ]
    if missing:
        raise ValidationError(
            {"scores": _("Score every item first; missing: %(items)s.") % {"items": ", ".join(missing)}}
        )
    return review_submitted(review, actor=actor, at=at)


@refused("excellence.expertreview.withdraw")
@transaction.atomic
def expert_review_withdraw(*, actor: Any, review: ExpertReview, reason: str) -> ExpertReview:
    """Take an expert off the panel before they submit (unavailable, a conflict found late)."""
    review = locked(review)
    _require_officer_of(actor, review.assessment)
    return review_withdrawn(review, actor=actor, reason=reason, what=_("expert's review"))


def nearest_in_band(framework: Any, value: float) -> int:
    """The percentage in the framework's bands nearest ``value`` (the mean of the experts'): the
    consensus round's starting point, never the panel's decision."""
    step = framework.step or 5
    candidates = [p for p in range(0, 101, step) if framework.band_of(p) is not None]
    return min(candidates, key=lambda p: (abs(p - value), p))


@refused("excellence.expertassessment.consensus")
@transaction.atomic
def expert_assessment_consensus(
    *, actor: Any, assessment: ExpertAssessment, at: datetime.datetime | None = None
) -> ExpertAssessment:
    """Open the consensus round once every expert on the panel has submitted: per item the spread
    of their percentages, flagged above the threshold, and their mean (to the nearest band step)
    as the starting consensus."""
    assessment = locked(assessment)
    _require_officer_of(actor, assessment)
    require_state(assessment, (SCORING,), what=_("expert assessment"))
    reviews = list(assessment.reviews.exclude(status=ReviewStatus.WITHDRAWN).select_related("expert"))
    waiting = [str(r.expert) for r in reviews if r.status == ReviewStatus.ASSIGNED]
    if waiting:
        raise ValidationError(
            _("Not every expert has submitted: %(names)s.") % {"names": "、".join(waiting)}, code="waiting"
        )
    if not reviews:
        raise ValidationError(_("Assign at least one expert, and let them score, first."), code="waiting")
    by_item: dict[int, list[int]] = defaultdict(list)
    for item_id, percent in ExpertItemScore.objects.filter(review__in=reviews).values_list(
        "item_id", "percent"
    ):
        by_item[item_id].append(percent)
    items = Item.objects.filter(category__framework=assessment.framework_id).order_by(
        "category__order", "order"
    )
    ConsensusItem.objects.bulk_create(
        ConsensusItem(
            assessment=assessment,
            item=item,
            percent=nearest_in_band(assessment.framework, statistics.fmean(by_item[item.pk])),
            spread=max(by_item[item.pk]) - min(by_item[item.pk]),
            flagged=max(by_item[item.pk]) - min(by_item[item.pk]) > assessment.spread_threshold,
        )
        for item in items
    )
    before = audit.snapshot(assessment)
    assessment.status = CONSENSUS
    save_step(assessment, actor=actor, verb="consensus", before=before)
    return assessment


@refused("excellence.expertassessment.agree")
@transaction.atomic
def expert_assessment_agree(
    *, actor: Any, assessment: ExpertAssessment, rows: Iterable[ConsensusRow], summary: str | None = None
) -> ExpertAssessment:
    """Record the panel's consensus on some or all items: the percentage, the rationale (required
    on a flagged item), the strengths and the opportunities for improvement."""
    assessment = locked(assessment)
    _require_officer_of(actor, assessment)
    require_state(assessment, (CONSENSUS,), what=_("expert assessment"))
    rows = list(rows)
    items = assessment.framework.checked_items(rows, "rows")
    current = {c.item_id: c for c in assessment.consensus.all()}
    errors = [
        _("%(item)s was flagged for discussion: give the rationale of the consensus.")
        % {"item": items[i].code}
        for i, _p, rationale, _s, _o in rows
        if current[i].flagged and not (rationale or "").strip()
    ]
    if errors:
        raise ValidationError({"rows": errors})
    before = {items[i].code: f"{current[i].percent}%" for i, *_r in rows}
    changed = []
    for item_id, percent, rationale, strengths, opportunities in rows:
        row = current[item_id]
        row.percent, row.rationale = percent, (rationale or "").strip()
        row.strengths, row.opportunities = (strengths or "").strip(), (opportunities or "").strip()
        row.version += 1
        changed.append(row)
    ConsensusItem.objects.bulk_update(
        changed, ["percent", "rationale", "strengths", "opportunities", "version"]
    )
    if summary is not None:
        assessment.summary = summary.strip()
    assessment.version += 1
    assessment.save(update_fields=["summary", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="excellence.expertassessment.agree",
        obj=assessment,
        before=before,
        after={items[r.item_id].code: f"{r.percent}% · {r.rationale}" for r in changed},
    )
    return assessment


@refused("excellence.expertassessment.complete")
@transaction.atomic
def expert_assessment_complete(
    *, actor: Any, assessment: ExpertAssessment, at: datetime.datetime | None = None
) -> ExpertAssessment:
    """Close the assessment: every item has its consensus percentage (and a flagged one its
    rationale); the total out of the framework's points is fixed."""
    assessment = locked(assessment)
    _require_officer_of(actor, assessment)
    require_state(assessment, (CONSENSUS,), what=_("expert assessment"))
    rows = list(assessment.consensus.select_related("item").order_by("item__category__order", "item__order"))
    missing = [r.item.code for r in rows if r.percent is None or (r.flagged and not r.rationale)]
    if missing:
        raise ValidationError(
            {
                "rows": _("Agree a percentage (and on a flagged item its rationale) first: %(items)s.")
                % {"items": ", ".join(missing)}
            }
        )
    before = audit.snapshot(assessment)
    assessment.status = ExpertAssessmentStatus.COMPLETED
    assessment.total = sum((r.points for r in rows), start=0)
    assessment.completed_on = timezone.localtime(now_or(at)).date()
    assessment.completed_by = actor if getattr(actor, "is_authenticated", False) else None
    save_step(assessment, actor=actor, verb="complete", before=before)
    return assessment
