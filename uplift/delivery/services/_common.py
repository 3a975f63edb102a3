"""What delivery's services share: who may act, and the state checks of a workflow."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit

# Who may act, shared by every app's services (core.services); delivery's import them from here.
from uplift.core.services import (  # noqa: F401
    check_enterprise,
    enterprises_outside,
    is_system,
    locked,
    require_officer,
    require_state,
)

refused = audit.refusals_recorded


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
