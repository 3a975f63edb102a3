"""Pages of delivery: service projects and their KPIs, activities with their participants, grades."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy

from uplift.accounts.access import principal_of
from uplift.core.forms import ReasonForm
from uplift.core.selectors import count_of
from uplift.core.views import Action, ObjectViews

from . import filtersets, forms, selectors, services, tables
from .choices import (
    AcceptanceStatus,
    ActivityStatus,
    BenefitStatus,
    CriterionBasis,
    Grade,
    ProblemStatus,
    ProjectStatus,
    ReviewStatus,
)
from .models import (
    Acceptance,
    AcceptanceCriterion,
    AcceptanceReview,
    AcceptanceScore,
    Activity,
    Benefit,
    EvaluationReport,
    GradeRecord,
    Participation,
    Problem,
    ProjectKpi,
    ReviewScore,
    ServiceProject,
    Standard,
    StandardWork,
)
from .services.problems import is_follower


def _status_is(*states: str):
    return lambda obj, user: obj.status in states


def _officer(user: Any) -> bool:
    return principal_of(user).is_officer or user.is_superuser


def _offered_by(rule: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    """An ``Action.offer`` from a selector ``rule(records, user)`` — the rule of its "awaiting my
    …" list filter (``approvable_by``: not the officer who submitted it) — asked of the one record,
    so the button is not offered in vain."""
    return lambda obj, user: rule(type(obj).objects.visible_to(user).filter(pk=obj.pk), user).exists()


_may_approve = _offered_by(selectors.approvable_by)
_may_verify = _offered_by(selectors.verifiable_by)


def _kpis(project: ServiceProject, user: Any) -> list[dict[str, Any]]:
    """The project's KPIs the user may see, each with what its records show."""
    return selectors.kpi_progress(project, ProjectKpi.objects.visible_to(user).filter(project=project))


def project_extra(project: ServiceProject, user: Any) -> dict[str, Any]:
    counts = selectors.activity_counts(project)
    return {
        "kpis": _kpis(project, user),
        "activity_counts": [
            {"status": status, "label": label, "count": counts.get(status, 0)}
            for status, label in ActivityStatus.choices
        ],
        "recent": Activity.objects.visible_to(user)
        .filter(project=project)
        .annotate(participation_count=count_of(Participation, "activity"))[:10],
        "results": selectors.project_results(project, user),
        "acceptance": Acceptance.objects.visible_to(user).filter(project=project).first(),
    }


def activity_extra(activity: Activity, user: Any) -> dict[str, Any]:
    parts = (
        Participation.objects.visible_to(user)
        .filter(activity=activity)
        .select_related("enterprise", "region")
        .order_by("enterprise__name")
    )
    return {
        "participations": parts,
        "managers": sum(p.managers for p in parts),
        "can_edit_participants": activity.is_editable and user.has_perm("delivery.add_participation"),
        "problems": Problem.objects.visible_to(user).filter(activity=activity).select_related("enterprise"),
        "can_add_problem": user.has_perm("delivery.add_problem"),
    }


project_views = ObjectViews(
    model=ServiceProject,
    table=tables.ServiceProjectTable,
    filterset=filtersets.ServiceProjectFilterSet,
    form=forms.ServiceProjectForm,
    services=services,
    service_prefix="project",
    select_related=("pilot__cluster", "pilot__programme", "institution", "contract"),
    detail_fields=[
        "title",
        "contract",
        "pilot",
        "institution",
        "status",
        "start_date",
        "end_date",
        "started_at",
        "submitted_at",
        "goals",
        "enterprises_targeted",
        "schedule",
    ],
    detail_template="delivery/serviceproject_detail.html",
    can_edit=lambda obj, user: obj.status not in (ProjectStatus.ACCEPTED, ProjectStatus.FAILED),
    detail_extra=project_extra,
    actions=[
        Action(
            "start",
            gettext_lazy("Start the project"),
            services.project_start,
            "project",
            when=_status_is(ProjectStatus.PLANNED),
            help=gettext_lazy("Activities are recorded once the project has started."),
        ),
        Action(
            "submit",
            gettext_lazy("Submit for acceptance"),
            services.project_submit,
            "project",
            when=_status_is(ProjectStatus.IN_PROGRESS),
            irreversible=True,
            help=gettext_lazy("The bureau will grade the project from its approved records."),
        ),
    ],
)
kpi_views = ObjectViews(
    model=ProjectKpi,
    table=tables.ProjectKpiTable,
    filterset=filtersets.ProjectKpiFilterSet,
    form=forms.ProjectKpiForm,
    services=services,
    service_prefix="kpi",
    select_related=("project",),
    detail_fields=["project", "kind", "target", "note"],
    nav=False,
    parent="project",
)
activity_views = ObjectViews(
    model=Activity,
    table=tables.ActivityTable,
    filterset=filtersets.ActivityFilterSet,
    form=forms.ActivityForm,
    services=services,
    select_related=("cluster", "institution", "project", "programme", "region", "station"),
    list_annotations={"participation_count": count_of(Participation, "activity")},
    can_edit=lambda obj, user: obj.is_editable,
    detail_fields=[
        "topic",
        "kind",
        "status",
        "held_on",
        "place",
        "region",
        "programme",
        "project",
        "cluster",
        "institution",
        "station",
        "delivered_by",
        "methods",
        "description",
        "external_id",
        "submitted_at",
        "submitted_by",
        "return_reason",
        "approved_at",
        "approved_by",
    ],
    detail_template="delivery/activity_detail.html",
    detail_extra=activity_extra,
    actions=[
        Action(
            "participants",
            gettext_lazy("Add participants"),
            services.participations_add,
            "activity",
            permission="add",
            form=forms.ParticipantsForm,
            when=lambda obj, user: obj.is_editable,
            help=gettext_lazy("Type or paste the sign-in sheet: a line per enterprise."),
        ),
        Action(
            "submit",
            gettext_lazy("Submit for approval"),
            services.activity_submit,
            "activity",
            when=lambda obj, user: obj.is_editable,
            help=gettext_lazy("The bureau approves it; it counts from then on."),
        ),
        Action(
            "approve",
            gettext_lazy("Approve"),
            services.activity_approve,
            "activity",
            when=lambda obj, user: obj.status == ActivityStatus.SUBMITTED and _officer(user),
            # The officer who submitted it is not offered the button (the API and the step's page
            # still let the service refuse, saying why).
            offer=_may_approve,
            irreversible=True,
            help=gettext_lazy(
                "The activity counts in the programme's figures from now on and can no longer be edited."
            ),
        ),
        Action(
            "return",
            gettext_lazy("Return for correction"),
            services.activity_return,
            "activity",
            form=forms.ReturnForm,
            danger=True,
            when=lambda obj, user: obj.status == ActivityStatus.SUBMITTED and _officer(user),
        ),
    ],
)
participation_views = ObjectViews(
    model=Participation,
    table=tables.ParticipationTable,
    filterset=filtersets.ParticipationFilterSet,
    form=forms.ParticipationForm,
    services=services,
    select_related=("activity", "enterprise", "region"),
    detail_fields=["activity", "enterprise", "region", "managers", "note"],
    actions=[
        Action(
            "remove",
            gettext_lazy("Remove from the activity"),
            services.participation_remove,
            "participation",
            danger=True,
            when=lambda obj, user: obj.activity.is_editable,
            help=gettext_lazy(
                "The enterprise no longer counts as taking part in this activity; add it again if "
                "this was a mistake."
            ),
        )
    ],
)
grade_views = ObjectViews(
    model=GradeRecord,
    table=tables.GradeRecordTable,
    filterset=filtersets.GradeRecordFilterSet,
    form=forms.GradeRecordForm,
    services=services,
    service_prefix="grade_record",
    select_related=("institution", "programme"),
    detail_fields=["institution", "project_title", "programme", "grade", "accepted_on", "source"],
)


problem_views = ObjectViews(
    model=Problem,
    table=tables.ProblemTable,
    filterset=filtersets.ProblemFilterSet,
    form=forms.ProblemForm,
    services=services,
    select_related=("enterprise", "project", "activity", "cluster", "institution", "region"),
    detail_fields=[
        "enterprise",
        "region",
        "category",
        "severity",
        "status",
        "found_on",
        "deadline",
        "description",
        "root_cause",
        "corrective_action",
        "responsible_person",
        "corrected_on",
        "closed_on",
        "verified_by",
        "verification_note",
        "programme",
        "project",
        "activity",
        "cluster",
        "institution",
    ],
    detail_template="delivery/problem_detail.html",
    can_edit=lambda obj, user: obj.status != ProblemStatus.CLOSED,
    actions=[
        Action(
            "correct",
            gettext_lazy("Record the correction"),
            services.problem_correct,
            "problem",
            form=forms.CorrectForm,
            when=lambda obj, user: obj.status == ProblemStatus.OPEN and is_follower(user, obj),
            help=gettext_lazy("The root cause and the action the enterprise took."),
        ),
        Action(
            "verify",
            gettext_lazy("Verify and close"),
            services.problem_verify,
            "problem",
            form=forms.VerifyForm,
            when=lambda obj, user: obj.status == ProblemStatus.CORRECTED and is_follower(user, obj),
            help=gettext_lazy("Once verified the problem counts as solved."),
        ),
        Action(
            "reopen",
            gettext_lazy("Correction not accepted"),
            services.problem_reopen,
            "problem",
            form=forms.ReopenForm,
            danger=True,
            when=lambda obj, user: obj.status == ProblemStatus.CORRECTED and is_follower(user, obj),
        ),
    ],
)
standard_views = ObjectViews(
    model=Standard,
    table=tables.StandardTable,
    filterset=filtersets.StandardFilterSet,
    form=forms.StandardForm,
    services=services,
    select_related=("cluster",),
    detail_fields=[
        "number",
        "title",
        "level",
        "status",
        "issued_by",
        "cluster",
        "approved_on",
        "published_on",
        "effective_on",
        "withdrawn_on",
    ],
    detail_template="delivery/standard_detail.html",
    detail_extra=lambda obj, user: {
        "works": StandardWork.objects.visible_to(user).filter(standard=obj).select_related("project"),
        "reports": EvaluationReport.objects.visible_to(user)
        .filter(standard=obj)
        .select_related("enterprise"),
    },
)
standard_work_views = ObjectViews(
    model=StandardWork,
    table=tables.StandardWorkTable,
    filterset=filtersets.StandardWorkFilterSet,
    form=forms.StandardWorkForm,
    services=services,
    service_prefix="standard_work",
    select_related=("standard", "project", "cluster"),
    detail_fields=[
        "standard",
        "kind",
        "programme",
        "project",
        "cluster",
        "institution",
        "region",
        "started_on",
        "note",
    ],
)
evaluation_report_views = ObjectViews(
    model=EvaluationReport,
    table=tables.EvaluationReportTable,
    filterset=filtersets.EvaluationReportFilterSet,
    form=forms.EvaluationReportForm,
    services=services,
    service_prefix="evaluation_report",
    select_related=("enterprise", "standard"),
    detail_fields=[
        "report_number",
        "enterprise",
        "region",
        "standard",
        "issued_on",
        "conclusion",
        "summary",
        "evaluator",
        "programme",
        "project",
        "cluster",
        "institution",
    ],
)
benefit_views = ObjectViews(
    model=Benefit,
    table=tables.BenefitTable,
    filterset=filtersets.BenefitFilterSet,
    form=forms.BenefitForm,
    services=services,
    select_related=("enterprise", "cluster"),
    can_edit=lambda obj, user: obj.is_editable,
    detail_fields=[
        "enterprise",
        "cluster",
        "region",
        "kind",
        "amount",
        "year",
        "calculation",
        "evidence",
        "status",
        "submitted_at",
        "submitted_by",
        "verified_at",
        "verified_by",
        "verification_note",
        "programme",
        "project",
        "institution",
    ],
    actions=[
        Action(
            "submit",
            gettext_lazy("Submit for verification"),
            services.benefit_submit,
            "benefit",
            when=lambda obj, user: obj.is_editable,
            help=gettext_lazy(
                "A bureau officer checks the calculation and the evidence; it counts once verified."
            ),
        ),
        Action(
            "verify",
            gettext_lazy("Verify"),
            services.benefit_verify,
            "benefit",
            form=forms.VerifyForm,
            when=lambda obj, user: obj.status == BenefitStatus.SUBMITTED and _officer(user),
            offer=_may_verify,
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            services.benefit_reject,
            "benefit",
            form=forms.RejectForm,
            danger=True,
            when=lambda obj, user: obj.status == BenefitStatus.SUBMITTED and _officer(user),
        ),
    ],
)


def _panel_done(acceptance: Acceptance) -> bool:
    """Experts were assigned and every one still on the panel has submitted."""
    states = set(acceptance.reviews.values_list("status", flat=True))
    return ReviewStatus.SUBMITTED in states and ReviewStatus.ASSIGNED not in states


def _own_review(review: AcceptanceReview, user: Any) -> bool:
    return review.expert_id in principal_of(user).expert_ids


def acceptance_extra(acceptance: Acceptance, user: Any) -> dict[str, Any]:
    programme = acceptance.project.pilot.programme
    criteria = AcceptanceCriterion.objects.visible_to(user).filter(programme_id=programme.pk)
    scores = {
        s.criterion_id: s for s in AcceptanceScore.objects.visible_to(user).filter(acceptance=acceptance)
    }
    rows = [
        {
            "criterion": c,
            "score": scores.get(c.pk),
            # Before grading, what a computed criterion would give now (from the records so far).
            "preview": selectors.computed_score(c, acceptance.project)
            if c.is_computed and c.pk not in scores
            else None,
        }
        for c in criteria
    ]
    panel = list(
        AcceptanceReview.objects.visible_to(user)
        .filter(acceptance=acceptance)
        .select_related("expert", "expert__user")
        .order_by("pk")
    )
    table = selectors.review_table(acceptance, user) if panel else None
    return {
        "panel": panel,
        "panel_rows": [{**row, "cells": [row["by_review"].get(r.pk) for r in panel]} for row in table["rows"]]
        if table
        else [],
        "panel_totals": [
            dict(zip((r.pk for r in table["reviews"]), table["totals"], strict=True)).get(r.pk) for r in panel
        ]
        if table
        else [],
        "panel_mean_total": table["mean_total"] if table else None,
        "rows": rows,
        "points": sum(c.points for c in criteria),
        "scored": sum((s.score for s in scores.values()), 0),
        "bands": [(lowest, Grade(grade).label) for lowest, grade in programme.grade_bands()],
        "kpis": _kpis(acceptance.project, user),
    }


criterion_views = ObjectViews(
    model=AcceptanceCriterion,
    table=tables.AcceptanceCriterionTable,
    filterset=filtersets.AcceptanceCriterionFilterSet,
    form=forms.AcceptanceCriterionForm,
    services=services,
    service_prefix="acceptance_criterion",
    select_related=("programme",),
    detail_fields=["programme", "order", "name", "points", "basis", "guidance"],
)
acceptance_views = ObjectViews(
    model=Acceptance,
    table=tables.AcceptanceTable,
    filterset=filtersets.AcceptanceFilterSet,
    form=forms.AcceptanceForm,
    services=services,
    select_related=("project__institution", "project__pilot__cluster", "grade_record"),
    detail_fields=[
        "project",
        "held_on",
        "panel",
        "conclusion",
        "status",
        "total",
        "grade",
        "graded_at",
        "graded_by",
        "published_at",
        "bulletin_number",
        "grade_record",
    ],
    detail_template="delivery/acceptance_detail.html",
    can_edit=lambda obj, user: obj.status == AcceptanceStatus.DRAFT,
    detail_extra=acceptance_extra,
    actions=[
        Action(
            "assign",
            gettext_lazy("Assign an expert"),
            services.acceptance_review_assign,
            "acceptance",
            form=forms.AssignExpertForm,
            when=lambda obj, user: obj.status == AcceptanceStatus.DRAFT and _officer(user),
            help=gettext_lazy(
                "Each expert scores every criterion on their own; no one reads their scores before "
                "they submit. Then adopt their average, or record the scores the panel agrees."
            ),
        ),
        Action(
            "adopt",
            gettext_lazy("Adopt the experts' average"),
            services.acceptance_adopt_average,
            "acceptance",
            when=lambda obj, user: (
                obj.status == AcceptanceStatus.DRAFT and _officer(user) and _panel_done(obj)
            ),
            help=gettext_lazy(
                "Records the average of the experts' submitted scores on each criterion (to 0.1) as "
                "the panel's scores; you may still change them before grading."
            ),
        ),
        Action(
            "score",
            gettext_lazy("Record the scores"),
            services.acceptance_score,
            "acceptance",
            form=forms.ScoresForm,
            when=lambda obj, user: obj.status == AcceptanceStatus.DRAFT and _officer(user),
            help=gettext_lazy("The panel's agreed score and reasons on each criterion of the rubric."),
        ),
        Action(
            "grade",
            gettext_lazy("Grade the project"),
            services.acceptance_grade,
            "acceptance",
            when=lambda obj, user: obj.status == AcceptanceStatus.DRAFT and _officer(user),
            irreversible=True,
            help=gettext_lazy(
                "The total gives the grade; the project is closed (accepted, or failed below 60) and "
                "the institution's grade is recorded for later tenders."
            ),
        ),
        Action(
            "publish",
            gettext_lazy("Publish in the bulletin"),
            services.acceptance_publish,
            "acceptance",
            form=forms.PublishForm,
            when=lambda obj, user: obj.status == AcceptanceStatus.GRADED and _officer(user),
            irreversible=True,
            help=gettext_lazy("The grade appears on the public bulletin page."),
        ),
    ],
)


def review_extra(review: AcceptanceReview, user: Any) -> dict[str, Any]:
    # The criteria an expert scores: those computed from the KPIs are nobody's to score.
    criteria = AcceptanceCriterion.objects.visible_to(user).filter(
        programme_id=review.acceptance.project.pilot.programme_id, basis=CriterionBasis.JUDGED
    )
    scores = {s.criterion_id: s for s in ReviewScore.objects.visible_to(user).filter(review=review)}
    return {
        "rows": [{"criterion": c, "score": scores.get(c.pk)} for c in criteria],
        "points": sum(c.points for c in criteria),
        "scored": sum((s.score for s in scores.values()), 0),
        "scores_hidden": review.status == ReviewStatus.ASSIGNED and not _own_review(review, user),
        "kpis": _kpis(review.acceptance.project, user),
    }


def _may_score(review: AcceptanceReview, user: Any) -> bool:
    return (
        review.status == ReviewStatus.ASSIGNED
        and review.acceptance.status == AcceptanceStatus.DRAFT
        and _own_review(review, user)
    )


review_views = ObjectViews(
    model=AcceptanceReview,
    table=tables.AcceptanceReviewTable,
    filterset=filtersets.AcceptanceReviewFilterSet,
    select_related=("acceptance__project__institution", "expert"),
    detail_fields=[
        "acceptance",
        "expert",
        "status",
        "opinion",
        "no_conflict",
        "assigned_by",
        "submitted_at",
        "withdrawn_reason",
    ],
    detail_template="delivery/acceptancereview_detail.html",
    detail_extra=review_extra,
    actions=[
        Action(
            "score",
            gettext_lazy("Score"),
            services.acceptance_review_score,
            "review",
            form=forms.ReviewScoresForm,
            when=_may_score,
            help=gettext_lazy(
                "Your own score and reasons on each criterion. Save as often as you like; no one "
                "reads them until you submit."
            ),
        ),
        Action(
            "submit",
            gettext_lazy("Submit my review"),
            services.acceptance_review_submit,
            "review",
            form=forms.SubmitReviewForm,
            when=_may_score,
            irreversible=True,
            help=gettext_lazy("Final: your scores can no longer change, and the bureau reads them."),
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw from the panel"),
            services.acceptance_review_withdraw,
            "review",
            form=ReasonForm,
            danger=True,
            when=lambda obj, user: obj.status == ReviewStatus.ASSIGNED and _officer(user),
        ),
    ],
)
