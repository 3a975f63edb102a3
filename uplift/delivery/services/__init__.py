"""Every write of delivery, one module per stage; import services from here.

* :mod:`.projects` — service projects (created by signed contracts), their plan and KPIs, their
  start and submission for acceptance; historical acceptance grades;
* :mod:`.activities` — activities with the enterprises taking part, and their approval:
  draft → submitted → returned (with a reason) → approved (by an officer other than the submitter);
* :mod:`.problems` — quality problems and their correction: open → corrected → closed (solved);
* :mod:`.standards` — the standards registry, standard work, enterprise-standard evaluation reports;
* :mod:`.benefits` — economic benefits: draft → submitted → verified, or rejected with a reason;
* :mod:`.acceptance` — the rubric, the experts' independent reviews, the panel's scores, grading
  (which closes the project and writes the institution's grade record) and publication in the
  bulletin.

Workflow services take ``at=`` so the demo and tests can replay a 2018 timeline; pages and the
API never let a user set it.
"""

from .acceptance import (
    acceptance_adopt_average,
    acceptance_create,
    acceptance_criterion_create,
    acceptance_criterion_update,
    acceptance_grade,
    acceptance_publish,
    acceptance_review_assign,
    acceptance_review_score,
    acceptance_review_submit,
    acceptance_review_withdraw,
    acceptance_score,
    acceptance_update,
)
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
from .benefits import benefit_create, benefit_reject, benefit_submit, benefit_update, benefit_verify
from .problems import problem_correct, problem_create, problem_reopen, problem_update, problem_verify
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
from .standards import (
    evaluation_report_create,
    evaluation_report_update,
    standard_create,
    standard_update,
    standard_work_create,
    standard_work_update,
)

__all__ = [
    "acceptance_adopt_average",
    "acceptance_create",
    "acceptance_criterion_create",
    "acceptance_criterion_update",
    "acceptance_grade",
    "acceptance_publish",
    "acceptance_review_assign",
    "acceptance_review_score",
    "acceptance_review_submit",
    "acceptance_review_withdraw",
    "acceptance_score",
    "acceptance_update",
    "activity_approve",
    "activity_create",
    "activity_return",
    "activity_submit",
    "activity_update",
    "benefit_create",
    "benefit_reject",
    "benefit_submit",
    "benefit_update",
    "benefit_verify",
    "evaluation_report_create",
    "evaluation_report_update",
    "grade_record_create",
    "grade_record_update",
    "kpi_create",
    "kpi_update",
    "participation_create",
    "participation_remove",
    "participation_update",
    "participations_add",
    "problem_correct",
    "problem_create",
    "problem_reopen",
    "problem_update",
    "problem_verify",
    "project_create",
    "project_start",
    "project_submit",
    "project_update",
    "standard_create",
    "standard_update",
    "standard_work_create",
    "standard_work_update",
]
