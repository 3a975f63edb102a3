"""What delivery's services share: who may act, and the state checks of a workflow."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import locked

refused = audit.refusals_recorded


def is_system(actor: Any) -> bool:
    """The demo builder and management commands act as no one (``actor=None``)."""
    return actor is None or getattr(actor, "is_superuser", False)


def require_officer(actor: Any, message: str) -> None:
    """Only a bureau officer (or the system) takes this step."""
    if not is_system(actor) and not principal_of(actor).is_officer:
        raise ValidationError(message, code="role")


def require_state(obj: Any, allowed: tuple[str, ...], *, what: str) -> None:
    """Refuse a step out of order, naming the state the record is in and the ones it needs."""
    if obj.status not in allowed:
        labels = dict(type(obj)._meta.get_field("status").choices)
        raise ValidationError(
            _("The %(what)s is %(status)s; this can only be done when it is %(allowed)s.")
            % {
                "what": what,
                "status": obj.get_status_display(),
                "allowed": " / ".join(str(labels[s]) for s in allowed),
            },
            code="state",
        )


def enterprises_outside(actor: Any, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that ``actor`` may not record (outside their region or their clusters)."""
    from uplift.registry.models import Enterprise

    ids = set(ids)
    if is_system(actor) or not ids:
        return set()
    return ids - set(Enterprise.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def check_enterprise(actor: Any, enterprise: Any) -> None:
    """Refuse an enterprise outside the actor's scope, naming it."""
    if enterprise is not None and enterprise_outside(actor, enterprise):
        raise ValidationError(
            {"enterprise": _("%(name)s is outside your scope; you cannot record it.") % {"name": enterprise}}
        )


def enterprise_outside(actor: Any, enterprise: Any) -> bool:
    return bool(enterprises_outside(actor, [enterprise.pk]))


#: The states of a project in which its results (problems, standards, benefits) are still recorded.
OPEN_PROJECT = ("in_progress", "submitted")


def placed(actor: Any, data: dict[str, Any], *, states: tuple[str, ...] = OPEN_PROJECT) -> dict[str, Any]:
    """A record's programme, cluster and institution, taken from its service project.

    An institution's staff record only in their own projects, while they are open; the bureau
    also records outside any project (then it names the programme itself).
    """
    data = dict(data)
    project = data.get("project")
    p = principal_of(actor)
    if project is None:
        if not is_system(actor) and not p.is_officer:
            raise ValidationError({"project": _("Choose the service project this belongs to.")})
        if not data.get("programme"):
            raise ValidationError({"programme": _("Choose the programme, or the service project.")})
        return data
    data["project"] = project = locked(project)
    if project.status not in states:
        raise ValidationError(
            {
                "project": _("This project is %(status)s; nothing more is recorded in it.")
                % {"status": project.get_status_display()}
            }
        )
    if not is_system(actor) and not p.is_officer and project.institution_id not in p.institution_ids:
        raise ValidationError({"project": _("You do not deliver this project.")})
    pilot = project.pilot
    data.update(programme=pilot.programme, cluster=pilot.cluster, institution=project.institution)
    return data


def keep_place(instance: Any, data: dict[str, Any]) -> dict[str, Any]:
    """An update's data without the fields a record's project decides (it cannot move)."""
    data = dict(data)
    if "project" in data and data["project"] != instance.project:
        raise ValidationError({"project": _("A record cannot move to another project.")})
    data.pop("project", None)
    if instance.project_id:
        for name in ("programme", "cluster", "institution"):
            data.pop(name, None)
    return data
