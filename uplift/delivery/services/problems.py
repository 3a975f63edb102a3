"""Quality problems and their correction: open → corrected → closed (solved), or reopened."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import create_object, locked, now_or, save_step, update_object

from ..choices import ProblemStatus
from ..models import Participation, Problem
from ._common import check_enterprise, is_system, keep_place, placed, refused, require_state


def _found_in(data: dict[str, Any]) -> dict[str, Any]:
    """Take the project from the activity the problem was found in, and check the enterprise took part."""
    activity = data.get("activity")
    if activity is None:
        return data
    if data.get("project") is None and activity.project_id:
        data["project"] = activity.project
    if data.get("project") is None:
        data.setdefault("programme", activity.programme)
        data.setdefault("cluster", activity.cluster)
    enterprise = data.get("enterprise")
    if (
        enterprise is not None
        and not Participation.objects.filter(activity=activity, enterprise=enterprise).exists()
    ):
        raise ValidationError(
            {"enterprise": _("%(name)s did not take part in this activity.") % {"name": enterprise}}
        )
    return data


def is_follower(actor: Any, problem: Problem) -> bool:
    """The institution following the problem, or a bureau officer (or the system)."""
    p = principal_of(actor)
    return is_system(actor) or p.is_officer or problem.institution_id in p.institution_ids


def _require_follower(actor: Any, problem: Problem) -> None:
    """Only a follower takes a problem's steps."""
    if not is_follower(actor, problem):
        raise ValidationError(
            _("Only the institution following this problem, or the bureau, can do this."), code="role"
        )


@refused("delivery.problem.create")
@transaction.atomic
def problem_create(*, actor: Any, **data: Any) -> Problem:
    """Record a problem found at an enterprise, with the deadline for its correction."""
    data = placed(actor, _found_in(dict(data)))
    check_enterprise(actor, data.get("enterprise"))
    return create_object(Problem, actor=actor, data=data)


@refused("delivery.problem.update")
@transaction.atomic
def problem_update(*, actor: Any, instance: Problem, **data: Any) -> Problem:
    """Change a problem's description, cause, action or deadline until it is closed."""
    if instance.status == ProblemStatus.CLOSED:
        raise ValidationError(_("This problem is closed; it cannot change."), code="state")
    data = keep_place(instance, data)
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != instance.enterprise:
        check_enterprise(actor, enterprise)
    # The enterprise must have taken part in the activity the problem is found in after the edit,
    # whichever of the two the edit changes.
    activity = data.get("activity", instance.activity)
    if activity is not None:
        _found_in(
            {
                "activity": activity,
                "project": instance.project,
                "enterprise": enterprise or instance.enterprise,
            }
        )
    return update_object(instance, actor=actor, data=data)


@refused("delivery.problem.correct")
@transaction.atomic
def problem_correct(
    *,
    actor: Any,
    problem: Problem,
    root_cause: str = "",
    corrective_action: str = "",
    corrected_on: datetime.date | None = None,
) -> Problem:
    """Record that the enterprise has corrected the problem: its root cause and the action taken."""
    _require_follower(actor, problem)
    problem = locked(problem)
    require_state(problem, (ProblemStatus.OPEN,), what=_("problem"))
    before = audit.snapshot(problem)
    problem.root_cause = (root_cause or problem.root_cause).strip()
    problem.corrective_action = (corrective_action or problem.corrective_action).strip()
    errors = {}
    if not problem.root_cause:
        errors["root_cause"] = _("Say what caused the problem.")
    if not problem.corrective_action:
        errors["corrective_action"] = _("Say what was done to correct it.")
    corrected_on = corrected_on or timezone.localdate()
    if corrected_on < problem.found_on or corrected_on > timezone.localdate():
        errors["corrected_on"] = _("The correction falls between the day the problem was found and today.")
    if errors:
        raise ValidationError(errors)
    problem.status = ProblemStatus.CORRECTED
    problem.corrected_on = corrected_on
    save_step(problem, actor=actor, verb="correct", before=before)
    return problem


@refused("delivery.problem.verify")
@transaction.atomic
def problem_verify(
    *, actor: Any, problem: Problem, note: str = "", at: datetime.datetime | None = None
) -> Problem:
    """Verify the correction on site: the problem is closed and counts as solved."""
    _require_follower(actor, problem)
    problem = locked(problem)
    require_state(problem, (ProblemStatus.CORRECTED,), what=_("problem"))
    before = audit.snapshot(problem)
    closed_on = timezone.localtime(now_or(at)).date()
    if problem.corrected_on and closed_on < problem.corrected_on:
        raise ValidationError(
            _("A correction is verified after it is made (%(day)s).") % {"day": problem.corrected_on}
        )
    problem.status = ProblemStatus.CLOSED
    problem.closed_on = closed_on
    problem.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    problem.verification_note = (note or "").strip()
    save_step(problem, actor=actor, verb="verify", before=before)
    return problem


@refused("delivery.problem.reopen")
@transaction.atomic
def problem_reopen(*, actor: Any, problem: Problem, reason: str) -> Problem:
    """The correction did not hold up: the problem is open again, with the reason."""
    _require_follower(actor, problem)
    problem = locked(problem)
    require_state(problem, (ProblemStatus.CORRECTED,), what=_("problem"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the correction was not accepted.")})
    before = audit.snapshot(problem)
    problem.status = ProblemStatus.OPEN
    problem.corrected_on = None
    problem.verification_note = reason.strip()
    save_step(problem, actor=actor, verb="reopen", before=before)
    return problem
