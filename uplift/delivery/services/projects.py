"""Service projects: plan, KPIs, start and submission for acceptance; historical grades."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import create_object, locked, now_or, save_step, update_object

from ..choices import ActivityStatus, ProjectStatus
from ..models import GradeRecord, ProjectKpi, ServiceProject
from ._common import is_system, refused, require_state

#: What an institution writes of its own project: the service plan. The rest is the bureau's.
PLAN_FIELDS = {"goals", "enterprises_targeted", "schedule", "version"}


def project_create(*, actor: Any, **data: Any) -> ServiceProject:
    """Open the service project of a signed contract (called by ``contract_create``)."""
    return create_object(ServiceProject, actor=actor, data=data)


@refused("delivery.serviceproject.update")
def project_update(*, actor: Any, instance: ServiceProject, **data: Any) -> ServiceProject:
    """Change a project: its institution writes the service plan, the bureau everything else."""
    p = principal_of(actor)
    if not is_system(actor) and not p.is_officer:
        changed = {k for k, v in data.items() if k not in PLAN_FIELDS and getattr(instance, k, v) != v}
        if changed:
            raise ValidationError(
                _("Only the bureau changes a project's %(fields)s; you may write its service plan.")
                % {
                    "fields": ", ".join(
                        str(instance._meta.get_field(f).verbose_name) for f in sorted(changed)
                    )
                }
            )
    if instance.status in (ProjectStatus.ACCEPTED, ProjectStatus.FAILED):
        raise ValidationError(_("An accepted project is closed; it cannot change."), code="state")
    return update_object(instance, actor=actor, data=data)


@refused("delivery.serviceproject.start")
@transaction.atomic
def project_start(
    *, actor: Any, project: ServiceProject, at: datetime.datetime | None = None
) -> ServiceProject:
    """Start delivering: from now on the project's activities are recorded."""
    project = locked(project)
    require_state(project, (ProjectStatus.PLANNED,), what=_("project"))
    if not (project.goals.strip() and project.schedule.strip()):
        raise ValidationError(
            _("Write the service plan (goals and schedule) before starting the project."), code="plan"
        )
    before = audit.snapshot(project)
    project.status = ProjectStatus.IN_PROGRESS
    project.started_at = now_or(at)
    save_step(project, actor=actor, verb="start", before=before)
    return project


@refused("delivery.serviceproject.submit")
@transaction.atomic
def project_submit(
    *, actor: Any, project: ServiceProject, at: datetime.datetime | None = None
) -> ServiceProject:
    """Submit the project for acceptance once every activity it recorded has been decided."""
    project = locked(project)
    require_state(project, (ProjectStatus.IN_PROGRESS,), what=_("project"))
    statuses = set(project.activities.values_list("status", flat=True))
    if ActivityStatus.SUBMITTED in statuses:
        raise ValidationError(
            _(
                "Some activities still wait for the bureau's approval; "
                "submit the project once they are decided."
            ),
            code="pending",
        )
    if ActivityStatus.APPROVED not in statuses:
        raise ValidationError(_("The project has no approved activity yet."), code="empty")
    before = audit.snapshot(project)
    project.status = ProjectStatus.SUBMITTED
    project.submitted_at = now_or(at)
    save_step(project, actor=actor, verb="submit", before=before)
    return project


def _open_project(project: ServiceProject | None) -> None:
    if project is not None and project.status in (ProjectStatus.ACCEPTED, ProjectStatus.FAILED):
        raise ValidationError({"project": _("This project has been accepted; its KPIs are final.")})


def kpi_create(*, actor: Any, **data: Any) -> ProjectKpi:
    _open_project(data.get("project"))
    return create_object(ProjectKpi, actor=actor, data=data)


def kpi_update(*, actor: Any, instance: ProjectKpi, **data: Any) -> ProjectKpi:
    _open_project(instance.project)
    if "project" in data and data["project"] != instance.project:
        raise ValidationError({"project": _("A KPI cannot move to another project.")})
    return update_object(instance, actor=actor, data=data)


def grade_record_create(*, actor: Any, **data: Any) -> GradeRecord:
    return create_object(GradeRecord, actor=actor, data=data)


def grade_record_update(*, actor: Any, instance: GradeRecord, **data: Any) -> GradeRecord:
    return update_object(instance, actor=actor, data=data)
