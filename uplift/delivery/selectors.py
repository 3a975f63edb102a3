"""Reads of delivery: the records each programme figure counts, and a project's KPI progress.

Only approved activities, closed (verified) problems, approved standards and verified benefits
count. The figure functions take ``(programme, region=, cluster_id=)``
like every metric's records; list pages' drill-down filters call the same functions, so a figure
and the list behind it can never disagree.
"""

from __future__ import annotations

import datetime
import statistics
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uplift.accounts.access import in_subtree, principal_of, region_prefix
from uplift.core.work import ENTERPRISES, EXPERTS, INSTITUTIONS, OFFICERS, OVERDUE, work_source
from uplift.registry.models import ClusterMembership, Enterprise

from .choices import (
    AcceptanceStatus,
    ActivityKind,
    ActivityStatus,
    BenefitStatus,
    CriterionBasis,
    KpiKind,
    ProblemStatus,
    ProjectStatus,
    ReviewStatus,
    StandardLevel,
    StandardStatus,
)
from .models import (
    Acceptance,
    AcceptanceCriterion,
    AcceptanceReview,
    Activity,
    Benefit,
    EvaluationReport,
    Participation,
    Problem,
    ProjectKpi,
    ReviewScore,
    ServiceProject,
    StandardWork,
)

#: A standard counts as drafted or revised once approved (and still once published).
COUNTED_STANDARD = (StandardStatus.APPROVED, StandardStatus.PUBLISHED)


def _in_region(qs: QuerySet, lookup: str, region: str | None) -> QuerySet:
    return qs.filter(in_subtree(lookup, region_prefix(region))) if region else qs


def counted_activities(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """The programme's approved activities, held in a region or for one cluster."""
    qs = _in_region(
        Activity.objects.filter(programme=programme, status=ActivityStatus.APPROVED), "region_id", region
    )
    return qs.filter(cluster_id=cluster_id) if cluster_id else qs


def counted_participations(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Participations in the programme's approved activities, of enterprises in a region (the
    enterprise's, not the activity's), or in one cluster's activities."""
    qs = Participation.objects.filter(activity__programme=programme, activity__status=ActivityStatus.APPROVED)
    qs = _in_region(qs, "region_id", region)
    return qs.filter(activity__cluster_id=cluster_id) if cluster_id else qs


def _enterprises(
    participations: QuerySet, programme: Any, region: str | None, cluster_id: int | None
) -> QuerySet:
    """Distinct enterprises of ``participations``, in the region (the programme's by default) and,
    for a cluster, among its members: an enterprise in two clusters counts once in all, and
    under each cluster it belongs to."""
    qs = Enterprise.objects.filter(pk__in=participations.values("enterprise_id"))
    qs = _in_region(qs, "region_id", region or programme.region_id)
    if cluster_id:
        qs = qs.filter(pk__in=ClusterMembership.objects.filter(cluster_id=cluster_id).values("enterprise_id"))
    return qs


def participating_enterprises(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Distinct enterprises with a participation in an approved activity of the programme."""
    return _enterprises(counted_participations(programme), programme, region, cluster_id)


def trained_advanced_enterprises(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Distinct enterprises that took part in an approved training covering an advanced method."""
    return _enterprises(counted_trainings(programme), programme, region, cluster_id)


def counted_trainings(programme: Any) -> QuerySet:
    """Participations in the programme's approved trainings covering an advanced method."""
    return counted_participations(programme).filter(
        activity__kind=ActivityKind.TRAINING,
        activity__in=Activity.objects.filter(methods__advanced=True).values("pk"),
    )


def _sliced(qs: QuerySet, region: str | None, cluster_id: int | None) -> QuerySet:
    qs = _in_region(qs, "region_id", region)
    return qs.filter(cluster_id=cluster_id) if cluster_id else qs


def found_problems(programme: Any, *, region: str | None = None, cluster_id: int | None = None) -> QuerySet:
    """The programme's quality problems found at enterprises in a region, or in one cluster."""
    return _sliced(Problem.objects.filter(programme=programme), region, cluster_id)


def solved_problems(programme: Any, *, region: str | None = None, cluster_id: int | None = None) -> QuerySet:
    """Problems whose correction was verified (closed): the "problems solved" figure."""
    return found_problems(programme, region=region, cluster_id=cluster_id).filter(status=ProblemStatus.CLOSED)


def overdue(problems: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Those of ``problems`` not closed by their deadline."""
    return problems.exclude(status=ProblemStatus.CLOSED).filter(deadline__lt=today or timezone.localdate())


def _signs_off(user: Any) -> bool:
    """Whether ``user`` passes ``require_officer``, the first check of every sign-off (approve an
    activity, verify a benefit): a bureau officer, or a superuser (the system). No user (a read
    without a request) is nobody here, not the system."""
    p = principal_of(user)
    return p.is_officer or p.is_superuser


def _awaiting_sign_off(records: QuerySet, user: Any) -> QuerySet:
    """Those of ``records`` (submitted ones, with a ``submitted_by``) that ``user`` may sign off:
    for a bureau officer (or a superuser), all but those they submitted themselves (separation of
    duties: another officer signs them off). ``records`` is what the user may see (the step's page
    reads through the same scope), so an officer signs off in their region only."""
    if not _signs_off(user):
        return records.none()
    # A null submitter (the system, an import) is nobody's own: ``exclude`` keeps those rows.
    return records.exclude(submitted_by=user)


def approvable_by(activities: QuerySet, user: Any) -> QuerySet:
    """Those of ``activities`` that ``user`` may approve, as ``services.activity_approve`` decides
    (:func:`_awaiting_sign_off` of the submitted ones)."""
    return _awaiting_sign_off(activities.filter(status=ActivityStatus.SUBMITTED), user)


def verifiable_by(benefits: QuerySet, user: Any) -> QuerySet:
    """Those of ``benefits`` that ``user`` may verify, as ``services.benefit_verify`` decides
    (:func:`_awaiting_sign_off` of the submitted claims)."""
    return _awaiting_sign_off(benefits.filter(status=BenefitStatus.SUBMITTED), user)


def local_standard_works(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Standard work of the programme on local standards (DB) that have been approved: the
    "local standards drafted or revised" figure counts their distinct standards."""
    return standard_works(programme, region=region, cluster_id=cluster_id).filter(
        standard__level=StandardLevel.LOCAL
    )


def standard_works(programme: Any, *, region: str | None = None, cluster_id: int | None = None) -> QuerySet:
    """Standard work of the programme, at every level, whose standard has been approved: the
    "standards drafted or revised" figure counts their distinct standards (the list filters by level)."""
    qs = StandardWork.objects.filter(programme=programme, standard__status__in=COUNTED_STANDARD)
    return _sliced(qs, region, cluster_id)


def counted_evaluation_reports(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Enterprise-standard evaluation reports issued in the programme, by the enterprise's region."""
    return _sliced(EvaluationReport.objects.filter(programme=programme), region, cluster_id)


def verified_benefits(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet:
    """Benefit claims a bureau officer has verified: only these count."""
    return _sliced(
        Benefit.objects.filter(programme=programme, status=BenefitStatus.VERIFIED), region, cluster_id
    )


def kpi_actuals(project: ServiceProject) -> dict[str, int]:
    """What the project's approved records show, per KPI kind (the targets are set on its KPIs)."""
    activities = Activity.objects.filter(project=project, status=ActivityStatus.APPROVED)
    parts = Participation.objects.filter(activity__in=activities.values("pk"))
    totals = parts.aggregate(enterprises=Count("enterprise_id", distinct=True), managers=Sum("managers"))
    trained = parts.filter(
        activity__kind=ActivityKind.TRAINING,
        activity__in=Activity.objects.filter(methods__advanced=True).values("pk"),
    )
    return {
        KpiKind.ACTIVITIES: activities.count(),
        KpiKind.ENTERPRISES: totals["enterprises"] or 0,
        KpiKind.MANAGERS: totals["managers"] or 0,
        KpiKind.TRAINED_ADVANCED: trained.values("enterprise_id").distinct().count(),
        KpiKind.PROBLEMS_SOLVED: project.problems.filter(status=ProblemStatus.CLOSED).count(),
        KpiKind.STANDARDS: project.standard_works.filter(standard__status__in=COUNTED_STANDARD)
        .values("standard_id")
        .distinct()
        .count(),
        KpiKind.EVALUATION_REPORTS: project.evaluation_reports.count(),
        KpiKind.BENEFITS: project.benefits.filter(status=BenefitStatus.VERIFIED).aggregate(v=Sum("amount"))[
            "v"
        ]
        or 0,
        KpiKind.PASS_RATE: project_pass_rate(project),
    }


def project_pass_rate(project: ServiceProject) -> Decimal | None:
    """The sampling pass rate (%, to 0.1) of the pilot cluster's batches sampled during the
    project; None when none was sampled (no evidence: the KPI is not reached)."""
    from uplift.inspection.models import SamplingInspection
    from uplift.inspection.selectors import counts

    end = min(project.end_date, timezone.localdate())
    batches = SamplingInspection.objects.filter(
        cluster_id=project.pilot.cluster_id, sampled_on__range=(project.start_date, end)
    )
    passed, sampled = counts(batches)
    return (Decimal(100 * passed) / sampled).quantize(Decimal("0.1"), ROUND_HALF_UP) if sampled else None


def kpi_progress(project: ServiceProject, kpis: QuerySet) -> list[dict[str, Any]]:
    """Each of ``kpis`` (already scoped) with the actual value and the share of the target reached."""
    actuals = kpi_actuals(project)
    rows = []
    for kpi in kpis:
        actual = actuals.get(kpi.kind, 0)
        rows.append(
            {
                "kpi": kpi,
                "actual": actual,
                "percent": round(100 * float(actual) / float(kpi.target), 1)
                if kpi.target and actual is not None
                else None,
            }
        )
    return rows


def kpi_attainment(project: ServiceProject) -> dict[str, Any] | None:
    """How far the project reached its KPIs, from its records: the average over its KPIs of
    actual ÷ target, each counted up to 1 (beating one target does not make up for missing
    another). None when the project has no KPI with a target."""
    rows = [r for r in kpi_progress(project, ProjectKpi.objects.filter(project=project)) if r["kpi"].target]
    if not rows:
        return None
    # A KPI with no records to measure it (no batch sampled for a pass rate) is not reached.
    shares = [min(Decimal(str(r["actual"] or 0)) / Decimal(str(r["kpi"].target)), Decimal(1)) for r in rows]
    return {"share": sum(shares, Decimal(0)) / len(shares), "kpis": len(rows)}


def computed_score(criterion: AcceptanceCriterion, project: ServiceProject) -> tuple[Decimal, str] | None:
    """A computed criterion's score for ``project`` (to 0.1, half up) and how it was computed;
    None when the project has no KPIs to compute it from."""
    attained = kpi_attainment(project)
    if attained is None:
        return None
    score = (criterion.points * attained["share"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    percent = (100 * attained["share"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return score, _("Computed: KPI attainment %(percent)s%% over %(n)s KPIs × %(points)s points.") % {
        "percent": percent,
        "n": attained["kpis"],
        "points": criterion.points,
    }


def activity_counts(project: ServiceProject) -> dict[str, int]:
    """The project's activities by status (drafts included), for its page."""
    rows = project.activities.order_by().values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}


def project_results(project: ServiceProject, user: Any) -> dict[str, Any]:
    """What a project has to show beside its activities, as ``user`` may see it: problems found,
    solved and overdue, standards, evaluation reports, benefits verified and waiting."""
    problems = Problem.objects.visible_to(user).filter(project=project)
    benefits = Benefit.objects.visible_to(user).filter(project=project)
    return {
        "days_to_close": median_days_to_close(problems),
        "problems": problems.count(),
        "solved": problems.filter(status=ProblemStatus.CLOSED).count(),
        "overdue": overdue(problems).count(),
        "standards": StandardWork.objects.visible_to(user).filter(project=project).count(),
        "reports": EvaluationReport.objects.visible_to(user).filter(project=project).count(),
        "benefits_verified": benefits.filter(status=BenefitStatus.VERIFIED).aggregate(v=Sum("amount"))["v"]
        or 0,
        "benefits_waiting": benefits.filter(status=BenefitStatus.SUBMITTED).count(),
    }


def published_acceptances(programme: str | None = None, grade: str | None = None) -> QuerySet:
    """The grades published in bulletins, for anyone to read: best first within each bulletin.

    Only what the bulletin states is read (project, cluster, institution, total, grade, number).
    """
    qs = Acceptance.objects.filter(status=AcceptanceStatus.PUBLISHED).select_related(
        "project__pilot__cluster__region", "project__pilot__programme", "project__institution"
    )
    if programme:
        qs = qs.filter(project__pilot__programme__slug=programme)
    if grade:
        qs = qs.filter(grade=grade)
    return qs.order_by("-published_at", "-total", "project__title")


def programme_bulletin(programme: Any, region: str | None = None) -> list[Acceptance]:
    """The grades a programme published in its bulletins, best first, for the clusters of
    ``region`` (a GB/T 2260 code) when one is given: what the public bulletin shows of it."""
    qs = published_acceptances().filter(project__pilot__programme=programme)
    if region:
        qs = qs.filter(project__pilot__cluster__region__code__startswith=region_prefix(region))
    return list(qs)


def pilots_projects(pilots: list[Any], user: Any = None) -> dict[int, list[dict[str, Any]]]:
    """The service projects of ``pilots`` (those ``user`` may see; every one for the system), by
    pilot, each with its acceptance once graded: two queries."""
    qs = ServiceProject.objects.filter(pilot__in=pilots).select_related("institution")
    accepted = Acceptance.objects.filter(status__in=(AcceptanceStatus.GRADED, AcceptanceStatus.PUBLISHED))
    if user is not None:
        qs, accepted = qs.visible_to(user), accepted.visible_to(user)
    projects = list(qs.order_by("start_date", "pk"))
    by_project = {a.project_id: a for a in accepted.filter(project__in=projects)}
    out: dict[int, list[dict[str, Any]]] = {}
    for p in projects:
        out.setdefault(p.pilot_id, []).append({"project": p, "acceptance": by_project.get(p.pk)})
    return out


def bulletin_programmes() -> QuerySet:
    """Programmes with a published grade (the choices of the bulletin's filter)."""
    from uplift.programmes.models import Programme

    published = Acceptance.objects.filter(status=AcceptanceStatus.PUBLISHED)
    return Programme.objects.filter(pk__in=published.values("project__pilot__programme_id")).order_by(
        "-start_date", "name"
    )


def median_days_to_close(problems: QuerySet) -> float | None:
    """The median days from finding to closing, over the closed ones of ``problems``."""
    closed = problems.filter(status=ProblemStatus.CLOSED).values_list("found_on", "closed_on")
    days = [(shut - found).days for found, shut in closed]
    return float(statistics.median(days)) if days else None


def review_table(acceptance: Acceptance, user: Any = None, *, spread_share: Decimal = Decimal("0.2")) -> dict:
    """The submitted expert reviews of ``acceptance`` side by side (those ``user`` may read, or
    all without a user): per criterion each expert's score, their mean (to 0.1, half up), the
    spread (highest − lowest) and whether it exceeds ``spread_share`` of the criterion's points,
    an item for the panel to discuss before agreeing."""
    reviews = AcceptanceReview.objects.filter(acceptance=acceptance, status=ReviewStatus.SUBMITTED)
    scores = ReviewScore.objects.filter(review__acceptance=acceptance, review__status=ReviewStatus.SUBMITTED)
    if user is not None:
        reviews, scores = reviews.visible_to(user), scores.visible_to(user)
    reviews = list(reviews.select_related("expert").order_by("pk"))
    by_review: dict[int, dict[int, Decimal]] = {r.pk: {} for r in reviews}
    for review_id, criterion_id, score in scores.values_list("review_id", "criterion_id", "score"):
        if review_id in by_review:
            by_review[review_id][criterion_id] = score
    rows = []
    judged = AcceptanceCriterion.objects.filter(
        programme_id=acceptance.project.pilot.programme_id, basis=CriterionBasis.JUDGED
    )
    for criterion in judged:
        marks = [by_review[r.pk].get(criterion.pk) for r in reviews]
        given = [m for m in marks if m is not None]
        mean = (
            (sum(given, Decimal(0)) / len(given)).quantize(Decimal("0.1"), ROUND_HALF_UP) if given else None
        )
        spread = max(given) - min(given) if given else None
        rows.append(
            {
                "criterion": criterion,
                "by_review": {r.pk: m for r, m in zip(reviews, marks, strict=True)},
                "scores": given,
                "mean": mean,
                "spread": spread,
                "discuss": spread is not None and spread > criterion.points * spread_share,
            }
        )
    return {
        "reviews": reviews,
        "rows": rows,
        "totals": [sum(by_review[r.pk].values(), Decimal(0)) for r in reviews],
        "mean_total": sum((r["mean"] for r in rows if r["mean"] is not None), Decimal(0))
        if reviews
        else None,
    }


# --- Work items (uplift.core.work): what waits for each role in delivery -------------------------


work_source(
    Activity,
    key="delivery.activities_to_approve",
    label=gettext_lazy("Activities to approve"),
    hint=gettext_lazy("Submitted by the institutions: approve each, or return it saying why."),
    audience=OFFICERS,
    permission="delivery.change_activity",
    # Not every submitted activity: not those the officer submitted (another officer approves).
    params={"status": ActivityStatus.SUBMITTED, "awaiting_my_approval": "true"},
)

work_source(
    Activity,
    key="delivery.activities_returned",
    label=gettext_lazy("Activities returned to you"),
    hint=gettext_lazy("The bureau sent them back: correct them and submit again."),
    audience=INSTITUTIONS,
    permission="delivery.change_activity",
    params={"status": ActivityStatus.RETURNED},
)

work_source(
    Problem,
    key="delivery.problems_overdue",
    label=gettext_lazy("Quality problems overdue"),
    hint=gettext_lazy("Not closed by their correction deadline."),
    audience=(OFFICERS, INSTITUTIONS),
    params={"overdue": "true"},
    tone=OVERDUE,
)

work_source(
    Problem,
    key="delivery.problems_to_verify",
    label=gettext_lazy("Corrected problems to verify"),
    hint=gettext_lazy("The enterprise has corrected them: verify the correction to close each."),
    audience=INSTITUTIONS,
    permission="delivery.change_problem",
    params={"status": ProblemStatus.CORRECTED},
)

work_source(
    Problem,
    key="delivery.problems_to_correct",
    label=gettext_lazy("Quality problems awaiting your correction"),
    hint=gettext_lazy("Found at your enterprise: correct each by its deadline."),
    audience=ENTERPRISES,
    params={"status": ProblemStatus.OPEN},
)

work_source(
    Benefit,
    key="delivery.benefits_to_verify",
    label=gettext_lazy("Benefit claims to verify"),
    audience=OFFICERS,
    permission="delivery.change_benefit",
    # Not every submitted claim: not those the officer submitted (another officer verifies).
    params={"status": BenefitStatus.SUBMITTED, "awaiting_my_verification": "true"},
)

work_source(
    ServiceProject,
    key="delivery.projects_to_accept",
    label=gettext_lazy("Projects submitted for acceptance"),
    hint=gettext_lazy("Open each project's acceptance and assign its panel."),
    audience=OFFICERS,
    permission="delivery.add_acceptance",
    params={"status": ProjectStatus.SUBMITTED, "acceptance_opened": "false"},
)

work_source(
    Acceptance,
    key="delivery.acceptances_to_grade",
    label=gettext_lazy("Acceptances to grade"),
    hint=gettext_lazy("Being scored: once every expert has submitted, record the scores and grade."),
    audience=OFFICERS,
    permission="delivery.change_acceptance",
    params={"status": AcceptanceStatus.DRAFT},
)

work_source(
    Acceptance,
    key="delivery.acceptances_to_publish",
    label=gettext_lazy("Graded acceptances to publish"),
    hint=gettext_lazy("Publish each grade in a bulletin."),
    audience=OFFICERS,
    permission="delivery.change_acceptance",
    params={"status": AcceptanceStatus.GRADED},
)

# Experts read others' reviews only once submitted: the assigned ones listed are their own.
work_source(
    AcceptanceReview,
    key="delivery.acceptance_reviews_to_submit",
    label=gettext_lazy("Acceptance reviews to submit"),
    hint=gettext_lazy("Score each project on every criterion, then submit your review."),
    audience=EXPERTS,
    permission="delivery.change_acceptancereview",
    params={"status": ReviewStatus.ASSIGNED},
)
