"""Activities and the enterprises taking part; the approval that makes an activity count."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import create_object, locked, now_or, save_step, update_object
from uplift.core.signals import bulk_saved
from uplift.registry.models import Enterprise

from ..choices import ActivityStatus, ProjectStatus
from ..models import Activity, Participation, ServiceProject
from ._common import check_enterprise, enterprises_outside, is_system, refused, require_officer, require_state

EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)


def _placed(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The activity's programme, cluster, place and institution, taken from its project if it has one.

    An institution's staff record activities of their own projects only; the bureau also records
    its own and its service stations' activities, outside any project.
    """
    data = dict(data)
    project: ServiceProject | None = data.get("project")
    if project is not None:
        # Read under a lock: a project being submitted for acceptance takes no new activity.
        data["project"] = project = locked(project)
    p = principal_of(actor)
    if project is None:
        if not is_system(actor) and not p.is_officer:
            raise ValidationError({"project": _("Choose the service project this activity belongs to.")})
        if data.get("cluster") is not None and not data.get("region"):
            data["region"] = data["cluster"].region
        return data
    if project.status != ProjectStatus.IN_PROGRESS:
        raise ValidationError(
            {
                "project": _(
                    "Activities are recorded while a project is in progress; this one is %(status)s."
                )
                % {"status": project.get_status_display()}
            }
        )
    if not is_system(actor) and not p.is_officer and project.institution_id not in p.institution_ids:
        raise ValidationError({"project": _("You do not deliver this project.")})
    pilot = project.pilot
    data.update(
        programme=pilot.programme,
        cluster=pilot.cluster,
        region=data.get("region") or pilot.cluster.region,
        institution=project.institution,
    )
    return data


@refused("delivery.activity.create")
@transaction.atomic
def activity_create(*, actor: Any, **data: Any) -> Activity:
    """Record an activity as a draft; it counts once submitted and approved."""
    return create_object(Activity, actor=actor, data=_placed(actor, data))


@refused("delivery.activity.update")
@transaction.atomic
def activity_update(*, actor: Any, instance: Activity, **data: Any) -> Activity:
    """Change an activity while it is a draft or has been returned, in a project in progress."""
    require_state(instance, EDITABLE, what=_("activity"))
    _project_open(instance)
    if "project" in data and data["project"] != instance.project:
        raise ValidationError({"project": _("An activity cannot move to another project.")})
    data.pop("project", None)
    if instance.project_id:
        data = {k: v for k, v in data.items() if k not in ("programme", "cluster", "institution")}
    return update_object(instance, actor=actor, data=data)


@refused("delivery.activity.submit")
@transaction.atomic
def activity_submit(*, actor: Any, activity: Activity, at: datetime.datetime | None = None) -> Activity:
    """Send the activity to the bureau for approval, with the enterprises that took part."""
    activity = locked(activity)
    require_state(activity, EDITABLE, what=_("activity"))
    _project_open(activity)
    if not activity.participations.exists():
        raise ValidationError(
            _("Add the enterprises that took part before submitting the activity."), code="empty"
        )
    before = audit.snapshot(activity)
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = now_or(at)
    activity.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    activity.return_reason = ""
    save_step(activity, actor=actor, verb="submit", before=before)
    return activity


@refused("delivery.activity.return")
@transaction.atomic
def activity_return(
    *, actor: Any, activity: Activity, reason: str, at: datetime.datetime | None = None
) -> Activity:
    """Send a submitted activity back to whoever entered it, saying what to put right."""
    require_officer(actor, _("Only a bureau officer returns an activity."))
    activity = locked(activity)
    require_state(activity, (ActivityStatus.SUBMITTED,), what=_("activity"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what has to be put right.")})
    before = audit.snapshot(activity)
    activity.status = ActivityStatus.RETURNED
    activity.return_reason = reason.strip()
    save_step(activity, actor=actor, verb="return", before=before)
    return activity


@refused("delivery.activity.approve")
@transaction.atomic
def activity_approve(*, actor: Any, activity: Activity, at: datetime.datetime | None = None) -> Activity:
    """Approve a submitted activity: from now on it and its participations count.

    The officer who approves is never the one who submitted (separation of duties).
    """
    require_officer(actor, _("Only a bureau officer approves an activity."))
    activity = locked(activity)
    require_state(activity, (ActivityStatus.SUBMITTED,), what=_("activity"))
    if actor is not None and activity.submitted_by_id == getattr(actor, "pk", None):
        raise ValidationError(
            _("You submitted this activity; another officer must approve it."), code="own_submission"
        )
    before = audit.snapshot(activity)
    activity.status = ActivityStatus.APPROVED
    activity.approved_at = now_or(at)
    activity.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    save_step(activity, actor=actor, verb="approve", before=before)
    return activity


# --- Participations -------------------------------------------------------------------------------


def _project_open(activity: Activity) -> None:
    """A project submitted for acceptance (or closed) takes no more changes to its activities."""
    project = activity.project if activity.project_id else None
    if project is not None and project.status != ProjectStatus.IN_PROGRESS:
        raise ValidationError(
            _("The project is %(status)s; its activities no longer change.")
            % {"status": project.get_status_display()},
            code="project_closed",
        )


def _editable_activity(activity: Activity) -> None:
    _project_open(activity)
    if activity.status not in EDITABLE:
        raise ValidationError(
            {
                "activity": _(
                    "The activity is %(status)s; who took part can change only in a draft "
                    "or a returned activity."
                )
                % {"status": activity.get_status_display()}
            }
        )


@refused("delivery.participation.create")
@transaction.atomic
def participation_create(*, actor: Any, activity: Activity, **data: Any) -> Participation:
    """Add an enterprise, with its headcount of quality managers, to a draft or returned activity."""
    _editable_activity(locked(activity))
    check_enterprise(actor, data.get("enterprise"))
    return create_object(Participation, actor=actor, data={**data, "activity": activity})


@refused("delivery.participation.update")
@transaction.atomic
def participation_update(*, actor: Any, instance: Participation, **data: Any) -> Participation:
    _editable_activity(locked(instance.activity))
    if "activity" in data and data["activity"] != instance.activity:
        raise ValidationError({"activity": _("A participation cannot move to another activity.")})
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != instance.enterprise:
        check_enterprise(actor, enterprise)
    return update_object(instance, actor=actor, data=data)


@refused("delivery.participation.remove")
@transaction.atomic
def participation_remove(*, actor: Any, participation: Participation) -> Activity:
    """Take an enterprise off a draft or returned activity; returns the activity."""
    activity = participation.activity
    _editable_activity(locked(activity))
    audit.record(
        actor=actor,
        action="delivery.participation.remove",
        obj=participation,
        before=audit.snapshot(participation),
    )
    participation.delete()
    return activity


def _credit_codes(ids: Iterable[int]) -> str:
    """The enterprises ``ids`` as their users know them: credit code and name, for a message."""
    rows = Enterprise.objects.filter(pk__in=ids).order_by("credit_code").values_list("credit_code", "name")
    return "、".join(f"{code} {name}" for code, name in rows)


@refused("delivery.participation.bulk_create")
@transaction.atomic
def participations_add(*, actor: Any, activity: Activity, rows: Iterable[tuple[int, int]]) -> int:
    """Add many ``(enterprise id, quality managers)`` to a draft activity in one statement.

    The path of the demo and of imports: the same rules as one at a time (the activity is
    editable, every enterprise is in the actor's scope, a headcount is not negative, an enterprise
    appears once), checked for the whole set before anything is written; one audit entry.
    """
    _editable_activity(locked(activity))
    rows = list(rows)
    ids = [e for e, _m in rows]
    if len(set(ids)) != len(ids):
        raise ValidationError({"enterprise": _("An enterprise is listed twice.")})
    if any(m is None or m < 0 for _e, m in rows):
        raise ValidationError({"managers": _("A headcount cannot be negative.")})
    regions = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "region_id"))
    unknown = set(ids) - set(regions)
    if unknown:
        raise ValidationError({"enterprise": _("Unknown enterprises: %(ids)s.") % {"ids": sorted(unknown)}})
    outside = enterprises_outside(actor, ids)
    if outside:
        raise ValidationError(
            {"enterprise": _("Enterprises outside your scope: %(ids)s.") % {"ids": _credit_codes(outside)}}
        )
    already = set(
        activity.participations.filter(enterprise_id__in=ids).values_list("enterprise_id", flat=True)
    )
    if already:
        raise ValidationError(
            {"enterprise": _("Already taking part: %(ids)s.") % {"ids": _credit_codes(already)}}
        )
    created = Participation.objects.bulk_create(
        [
            Participation(activity=activity, enterprise_id=e, region_id=regions[e], managers=m)
            for e, m in rows
        ],
        batch_size=2000,
    )
    bulk_saved.send(sender=Participation, instances=created)
    audit.record(
        actor=actor,
        action="delivery.participation.bulk_create",
        obj=activity,
        after={"enterprises": len(rows), "managers": sum(m for _e, m in rows)},
    )
    return len(rows)
