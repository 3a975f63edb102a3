"""Acceptance: the rubric, the panel's scores, the grade that closes a project, and publication."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import create_object, locked, now_or, save_step, update_object

from ..choices import AcceptanceStatus, CriterionBasis, Grade, ProjectStatus, ReviewStatus
from ..models import Acceptance, AcceptanceCriterion, AcceptanceReview, AcceptanceScore, ReviewScore
from ..models.acceptance import grade_for
from ..selectors import computed_score, review_table
from ._common import is_system, refused, require_officer, require_state
from .projects import grade_record_create, grade_record_update

RUBRIC_POINTS = 100


@refused("delivery.acceptancecriterion.create")
@transaction.atomic
def acceptance_criterion_create(*, actor: Any, **data: Any) -> AcceptanceCriterion:
    """Add a criterion to a programme's acceptance rubric."""
    require_officer(actor, _("Only a bureau officer sets the acceptance rubric."))
    return create_object(AcceptanceCriterion, actor=actor, data=data)


@refused("delivery.acceptancecriterion.update")
@transaction.atomic
def acceptance_criterion_update(
    *, actor: Any, instance: AcceptanceCriterion, **data: Any
) -> AcceptanceCriterion:
    """Change a criterion, as long as no project has been graded with it."""
    require_officer(actor, _("Only a bureau officer sets the acceptance rubric."))
    if instance.scores.exclude(acceptance__status=AcceptanceStatus.DRAFT).exists():
        raise ValidationError(
            _("Projects have been graded with this criterion; it can no longer change."), code="used"
        )
    if "programme" in data and data["programme"] != instance.programme:
        raise ValidationError({"programme": _("A criterion cannot move to another programme.")})
    return update_object(instance, actor=actor, data=data)


@refused("delivery.acceptance.create")
@transaction.atomic
def acceptance_create(*, actor: Any, **data: Any) -> Acceptance:
    """Open the acceptance of a project submitted for it."""
    require_officer(actor, _("Only a bureau officer holds an acceptance."))
    project = data.get("project")
    if project is not None:
        data["project"] = project = locked(project)
        if project.status != ProjectStatus.SUBMITTED:
            raise ValidationError(
                {
                    "project": _("The project is %(status)s; it is accepted once submitted for acceptance.")
                    % {"status": project.get_status_display()}
                }
            )
        if project.submitted_at and data.get("held_on") and data["held_on"] < project.submitted_at.date():
            raise ValidationError({"held_on": _("The acceptance comes after the project was submitted.")})
    return create_object(Acceptance, actor=actor, data=data)


@refused("delivery.acceptance.update")
@transaction.atomic
def acceptance_update(*, actor: Any, instance: Acceptance, **data: Any) -> Acceptance:
    """Change the panel, date or conclusion while the project is being scored."""
    require_officer(actor, _("Only a bureau officer holds an acceptance."))
    require_state(instance, (AcceptanceStatus.DRAFT,), what=_("acceptance"))
    if "project" in data and data["project"] != instance.project:
        raise ValidationError({"project": _("An acceptance cannot move to another project.")})
    return update_object(instance, actor=actor, data=data)


@refused("delivery.acceptance.score")
@transaction.atomic
def acceptance_score(
    *, actor: Any, acceptance: Acceptance, scores: Iterable[tuple[int, Decimal, str]]
) -> Acceptance:
    """Record the panel's agreed score (and reasons) on each criterion: ``(criterion id, score,
    comment)``. All are checked before any is written; a criterion scored again is replaced."""
    require_officer(actor, _("Only a bureau officer records the panel's scores."))
    acceptance = locked(acceptance)
    require_state(acceptance, (AcceptanceStatus.DRAFT,), what=_("acceptance"))
    _require_panel_done(acceptance)
    rows = _checked_scores(acceptance, scores)
    before = {s.criterion_id: str(s.score) for s in acceptance.scores.all()}
    for criterion_id, score, comment in rows:
        AcceptanceScore.objects.update_or_create(
            acceptance=acceptance,
            criterion_id=criterion_id,
            defaults={"score": score, "comment": comment or ""},
        )
    audit.record(
        actor=actor,
        action="delivery.acceptance.score",
        obj=acceptance,
        before={"scores": before},
        after={"scores": {c: str(s) for c, s, _c in rows}},
    )
    return acceptance


def _checked_scores(
    acceptance: Acceptance, scores: Iterable[tuple[int, Decimal, str]]
) -> list[tuple[int, Decimal, str]]:
    """``scores`` as a list, each on a criterion of the programme's rubric and within its points;
    otherwise a ValidationError on ``scores`` naming every bad row."""
    criteria = {
        c.pk: c for c in AcceptanceCriterion.objects.filter(programme=acceptance.project.pilot.programme)
    }
    errors = []
    rows = list(scores)
    for criterion_id, score, _comment in rows:
        criterion = criteria.get(criterion_id)
        if criterion is None:
            errors.append(_("Criterion %(id)s is not in this programme's rubric.") % {"id": criterion_id})
        elif criterion.is_computed:
            errors.append(
                _("%(name)s is computed from the project's KPIs when it is graded; it is not scored.")
                % {"name": criterion.name}
            )
        elif score is None or not 0 <= score <= criterion.points:
            errors.append(
                _("%(name)s: a score from 0 to %(points)s.")
                % {"name": criterion.name, "points": criterion.points}
            )
    if errors:
        raise ValidationError({"scores": errors})
    return rows


# --- Expert reviews ------------------------------------------------------------------------------


def require_own_review(actor: Any, review: Any) -> None:
    """Only the expert assigned (or the system) scores and submits an independent review."""
    if not is_system(actor) and review.expert_id not in principal_of(actor).expert_ids:
        raise ValidationError(_("Only the expert assigned scores and submits this review."), code="role")


@refused("delivery.acceptancereview.assign")
@transaction.atomic
def acceptance_review_assign(*, actor: Any, acceptance: Acceptance, expert: Any) -> AcceptanceReview:
    """Ask a registry expert to score the project independently. The expert needs an account
    (to score online); one assigned earlier and withdrawn cannot be assigned again."""
    require_officer(actor, _("Only a bureau officer assigns the acceptance panel."))
    acceptance = locked(acceptance)
    require_state(acceptance, (AcceptanceStatus.DRAFT,), what=_("acceptance"))
    if expert is None:
        raise ValidationError({"expert": _("Choose an expert.")})
    if expert.user_id is None:
        raise ValidationError(
            {
                "expert": _(
                    "%(name)s has no account, so cannot score online; record the panel's agreed "
                    "scores instead, or ask the security administrator for an account."
                )
                % {"name": expert}
            }
        )
    if AcceptanceReview.objects.filter(acceptance=acceptance, expert=expert).exists():
        raise ValidationError({"expert": _("%(name)s is already on this panel.") % {"name": expert}})
    if acceptance.scores.exists():
        raise ValidationError(
            _("The panel's agreed scores are already recorded; experts are assigned before scoring."),
            code="state",
        )
    return create_object(
        AcceptanceReview,
        actor=actor,
        data={
            "acceptance": acceptance,
            "expert": expert,
            "assigned_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
        verb="assign",
    )


@refused("delivery.acceptancereview.withdraw")
@transaction.atomic
def acceptance_review_withdraw(*, actor: Any, review: AcceptanceReview, reason: str) -> AcceptanceReview:
    """Take an expert off the panel before they submit (unavailable, a conflict of interest)."""
    require_officer(actor, _("Only a bureau officer changes the acceptance panel."))
    return review_withdrawn(locked(review), actor=actor, reason=reason, what=_("expert review"))


def review_withdrawn(review: Any, *, actor: Any, reason: str, what: str) -> Any:
    """The step of taking an expert off a panel (an acceptance's or an excellence assessment's,
    :class:`~uplift.delivery.models.IndependentReview`): before they submit, with a reason."""
    require_state(review, (ReviewStatus.ASSIGNED,), what=what)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the expert is withdrawn.")})
    before = audit.snapshot(review)
    review.status = ReviewStatus.WITHDRAWN
    review.withdrawn_reason = reason.strip()
    save_step(review, actor=actor, verb="withdraw", before=before)
    return review


def review_submitted(review: Any, *, actor: Any, at: datetime.datetime | None = None) -> Any:
    """The step of an expert submitting their review, no conflict of interest declared: final."""
    before = audit.snapshot(review)
    review.status = ReviewStatus.SUBMITTED
    review.no_conflict = True
    review.submitted_at = now_or(at)
    save_step(review, actor=actor, verb="submit", before=before)
    return review


@refused("delivery.acceptancereview.score")
@transaction.atomic
def acceptance_review_score(
    *, actor: Any, review: AcceptanceReview, scores: Iterable[tuple[int, Decimal, str]], opinion: str = ""
) -> AcceptanceReview:
    """The expert's own score and reasons on each criterion (saved as often as they like until
    they submit); a criterion scored again is replaced."""
    review = locked(review)
    require_own_review(actor, review)
    require_state(review, (ReviewStatus.ASSIGNED,), what=_("expert review"))
    require_state(review.acceptance, (AcceptanceStatus.DRAFT,), what=_("acceptance"))
    rows = _checked_scores(review.acceptance, scores)
    before = {
        "scores": {s.criterion_id: str(s.score) for s in review.scores.all()},
        "opinion": review.opinion,
    }
    for criterion_id, score, comment in rows:
        ReviewScore.objects.update_or_create(
            review=review, criterion_id=criterion_id, defaults={"score": score, "comment": comment or ""}
        )
    review.opinion = (opinion or "").strip()
    review.version += 1
    review.save(update_fields=["opinion", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="delivery.acceptancereview.score",
        obj=review,
        before=before,
        after={"scores": {c: str(s) for c, s, _c in rows}, "opinion": review.opinion},
    )
    return review


@refused("delivery.acceptancereview.submit")
@transaction.atomic
def acceptance_review_submit(
    *, actor: Any, review: AcceptanceReview, no_conflict: bool, at: datetime.datetime | None = None
) -> AcceptanceReview:
    """Submit the review: every criterion scored, and no conflict of interest declared. Final —
    from now on the bureau reads the scores, and the expert the other submitted reviews."""
    review = locked(review)
    require_own_review(actor, review)
    require_state(review, (ReviewStatus.ASSIGNED,), what=_("expert review"))
    if not no_conflict:
        raise ValidationError(
            {
                "no_conflict": _(
                    "Declare that you have no conflict of interest with %(institution)s, or ask "
                    "the bureau to withdraw you from the panel."
                )
                % {"institution": review.acceptance.project.institution}
            }
        )
    criteria = AcceptanceCriterion.objects.filter(
        programme=review.acceptance.project.pilot.programme, basis=CriterionBasis.JUDGED
    )
    scored = set(review.scores.values_list("criterion_id", flat=True))
    missing = [c.name for c in criteria if c.pk not in scored]
    if missing:
        raise ValidationError(
            _("Score every criterion first; missing: %(names)s.") % {"names": "、".join(missing)},
            code="missing",
        )
    return review_submitted(review, actor=actor, at=at)


def _require_panel_done(acceptance: Acceptance) -> None:
    """Refuse while an assigned expert has not submitted, naming them."""
    waiting = [
        str(r.expert)
        for r in acceptance.reviews.filter(status=ReviewStatus.ASSIGNED)
        .select_related("expert")
        .order_by("pk")
    ]
    if waiting:
        raise ValidationError(
            _("Not every expert has submitted: %(names)s.") % {"names": "、".join(waiting)}, code="waiting"
        )


@refused("delivery.acceptance.adopt")
@transaction.atomic
def acceptance_adopt_average(*, actor: Any, acceptance: Acceptance) -> Acceptance:
    """Record the average of the experts' submitted scores, criterion by criterion (to 0.1), as
    the panel's agreed scores; each score's reasons list the experts' scores it averages."""
    require_officer(actor, _("Only a bureau officer records the panel's scores."))
    acceptance = locked(acceptance)
    require_state(acceptance, (AcceptanceStatus.DRAFT,), what=_("acceptance"))
    _require_panel_done(acceptance)
    table = review_table(acceptance)
    if not table["reviews"]:
        raise ValidationError(_("No expert has submitted a review to average."), code="no_reviews")
    rows = [
        (
            row["criterion"].pk,
            row["mean"],
            _("Average of %(n)s experts' scores: %(scores)s.")
            % {"n": len(row["scores"]), "scores": "、".join(str(s) for s in row["scores"])},
        )
        for row in table["rows"]
    ]
    return acceptance_score(actor=actor, acceptance=acceptance, scores=rows)


@refused("delivery.acceptance.grade")
@transaction.atomic
def acceptance_grade(
    *, actor: Any, acceptance: Acceptance, at: datetime.datetime | None = None
) -> Acceptance:
    """Compute the criteria scored from the project's KPIs, total the scores, give the grade, and
    close the project: accepted, or failed (不合格).

    The institution's grade record is written here; a later tender's past-grade bonus reads it.
    """
    require_officer(actor, _("Only a bureau officer grades a project."))
    acceptance = locked(acceptance)
    require_state(acceptance, (AcceptanceStatus.DRAFT,), what=_("acceptance"))
    project = locked(acceptance.project)
    require_state(project, (ProjectStatus.SUBMITTED,), what=_("project"))
    criteria = AcceptanceCriterion.objects.filter(programme=project.pilot.programme)
    points = criteria.aggregate(p=Sum("points"))["p"] or 0
    if points != RUBRIC_POINTS:
        raise ValidationError(
            _("The programme's rubric carries %(points)s points; it must carry 100 before grading.")
            % {"points": points},
            code="rubric",
        )
    _require_panel_done(acceptance)
    computed_scores = {}
    for criterion in criteria:
        if criterion.is_computed:
            computed = computed_score(criterion, project)
            if computed is None:
                raise ValidationError(
                    _(
                        "%(name)s is computed from the project's KPIs, and the project has none; "
                        "set its KPIs first."
                    )
                    % {"name": criterion.name},
                    code="no_kpis",
                )
            AcceptanceScore.objects.update_or_create(
                acceptance=acceptance,
                criterion=criterion,
                defaults={"score": computed[0], "comment": computed[1]},
            )
            computed_scores[criterion.pk] = str(computed[0])
    if computed_scores:
        audit.record(
            actor=actor,
            action="delivery.acceptance.compute",
            obj=acceptance,
            after={"scores": computed_scores},
        )
    scored = dict(acceptance.scores.values_list("criterion_id", "score"))
    missing = [c.name for c in criteria if c.pk not in scored]
    if missing:
        raise ValidationError(
            _("Score every criterion first; missing: %(names)s.") % {"names": "、".join(missing)},
            code="missing",
        )
    total = sum(scored.values(), Decimal(0))
    grade = grade_for(total, project.pilot.programme.grade_bands())

    before = audit.snapshot(project)
    project.status = ProjectStatus.ACCEPTED if grade != Grade.FAIL else ProjectStatus.FAILED
    save_step(project, actor=actor, verb="accept" if grade != Grade.FAIL else "fail", before=before)

    record = grade_record_create(
        actor=actor,
        institution=project.institution,
        project_title=project.title,
        programme=project.pilot.programme,
        grade=grade,
        accepted_on=acceptance.held_on,
    )
    before = audit.snapshot(acceptance)
    acceptance.total, acceptance.grade, acceptance.grade_record = total, grade, record
    acceptance.status = AcceptanceStatus.GRADED
    acceptance.graded_at = now_or(at)
    acceptance.graded_by = actor if getattr(actor, "is_authenticated", False) else None
    save_step(acceptance, actor=actor, verb="grade", before=before)
    return acceptance


@refused("delivery.acceptance.publish")
@transaction.atomic
def acceptance_publish(
    *, actor: Any, acceptance: Acceptance, bulletin_number: str, at: datetime.datetime | None = None
) -> Acceptance:
    """Publish the grade in the bulletin (通报): it appears on the public bulletin page."""
    require_officer(actor, _("Only a bureau officer publishes grades."))
    acceptance = locked(acceptance)
    require_state(acceptance, (AcceptanceStatus.GRADED,), what=_("acceptance"))
    if not (bulletin_number or "").strip():
        raise ValidationError({"bulletin_number": _("Give the bulletin's number.")})
    before = audit.snapshot(acceptance)
    acceptance.status = AcceptanceStatus.PUBLISHED
    acceptance.published_at = now_or(at)
    acceptance.bulletin_number = bulletin_number.strip()
    save_step(acceptance, actor=actor, verb="publish", before=before)
    # The grade record names where it was published.
    grade_record_update(actor=actor, instance=acceptance.grade_record, source=acceptance.bulletin_number)
    return acceptance
