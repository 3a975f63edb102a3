"""Every write of delivery, one module per stage; import services from here.

* :mod:`.projects` — service projects (created by signed contracts), their plan and KPIs, their
  start and submission for acceptance; historical acceptance grades;
* :mod:`.activities` — activities with the enterprises taking part, and their approval:
  draft → submitted → returned (with a reason) → approved (by an officer other than the submitter).

Workflow services take ``at=`` so the demo and tests can replay a 2018 timeline; pages and the
API never let a user set it.
"""

from .activities import (
    activity_approve,
    activity_create,
    activity_return,
    activity_submit,
    activity_update,
    participation_create,
    participation_remove,
    participation_update,
    participations_add,
)
from .projects import (
    grade_record_create,
    grade_record_update,
    kpi_create,
    kpi_update,
    project_create,
    project_start,
    project_submit,
    project_update,
)

__all__ = [
    "activity_approve",
    "activity_create",
    "activity_return",
    "activity_submit",
    "activity_update",
    "grade_record_create",
    "grade_record_update",
    "kpi_create",
    "kpi_update",
    "participation_create",
    "participation_remove",
    "participation_update",
    "participations_add",
    "project_create",
    "project_start",
    "project_submit",
    "project_update",
]
