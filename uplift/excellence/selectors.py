"""Reads of the excellence model: a programme's adoption rule and the enterprises it counts as
adopters, profiles per category, an expert panel's table, benchmark candidates and the rules
each meets or misses, and the benchmark enterprises a programme counts."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DateField, Min, QuerySet
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_cte import CTE, with_cte

from uplift.accounts.access import in_subtree, region_prefix
from uplift.core.work import ENTERPRISES, EXPERTS, OFFICERS, work_source
from uplift.delivery.choices import ActivityStatus, ProblemStatus, Severity
from uplift.delivery.models import Participation, Problem, QualityMethod
from uplift.inspection.choices import InspectionResult
from uplift.inspection.models import SamplingInspection
from uplift.registry.models import Enterprise

from .choices import BenchmarkStatus, ExpertAssessmentStatus, ReviewStatus, SelfAssessmentStatus
from .models import (
    AdoptionRule,
    Benchmark,
    BenchmarkRule,
    Category,
    ConsensusItem,
    ExpertAssessment,
    ExpertItemScore,
    ExpertReview,
    Item,
    SelfAssessment,
    SelfAssessmentItem,
)

#: The quality method whose training the default rule asks for.
EXCELLENCE_METHOD = "excellence"


def adoption_rule(programme: Any) -> AdoptionRule:
    """The programme's rule, or the default (an unsaved rule: the excellence training and an
    accepted self-assessment, against any framework)."""
    try:
        return programme.adoption_rule
    except AdoptionRule.DoesNotExist:
        method = QualityMethod.objects.filter(code=EXCELLENCE_METHOD).first()
        return AdoptionRule(programme=programme, training_method=method, self_assessment_required=True)


def _firsts(qs: QuerySet, date: str, name: str) -> CTE:
    """The earliest ``date`` of ``qs``'s rows per enterprise (columns ``enterprise_id``, ``day``),
    as a named common table expression to join."""
    grouped = qs.order_by().values("enterprise_id").annotate(day=Min(date)).values("enterprise_id", "day")
    return CTE(grouped, name=name)


def accepted_self_assessments(rule: AdoptionRule) -> QuerySet:
    """The accepted self-assessments ``rule`` counts."""
    qs = SelfAssessment.objects.filter(status=SelfAssessmentStatus.ACCEPTED)
    if rule.framework_id:
        qs = qs.filter(framework_id=rule.framework_id)
    if rule.min_self_score is not None:
        qs = qs.filter(total__gte=rule.min_self_score)
    return qs


def rule_trainings(programme: Any, rule: AdoptionRule) -> QuerySet:
    """The participations in the programme's approved trainings covering the rule's method."""
    return Participation.objects.filter(
        activity__programme=programme,
        activity__status=ActivityStatus.APPROVED,
        activity__methods=rule.training_method_id,
    )


def adopters(programme: Any, rule: AdoptionRule | None = None) -> QuerySet:
    """Every enterprise meeting the programme's adoption rule, annotated with ``adopted_on``: the
    later of its first qualifying training and its first accepted self-assessment (not yet
    narrowed to the programme's period or region)."""
    rule = rule or adoption_rule(programme)
    firsts = []
    if rule.self_assessment_required:
        firsts.append(_firsts(accepted_self_assessments(rule), "accepted_on", "adoption_assessed"))
    if rule.training_method_id:
        trained = rule_trainings(programme, rule)
        if rule.self_assessment_required:
            # Only the trainings of assessed enterprises can count: narrowing them first groups tens
            # of thousands of participations instead of every trained one (half a million).
            trained = trained.filter(
                enterprise_id__in=accepted_self_assessments(rule).values("enterprise_id")
            )
        firsts.append(_firsts(trained, "activity__held_on", "adoption_trained"))
    # Each condition is one grouped pass over its records, joined to the enterprises by id rather
    # than a lookup per enterprise (bench/adopters.py: 2.4 s → about 1 s at national scale).
    qs = Enterprise.objects.all()
    for first in firsts:
        qs = first.join(qs, pk=first.col.enterprise_id)
    days = [first.col.day for first in firsts]
    adopted = Greatest(*days, output_field=DateField()) if len(days) > 1 else days[0]
    return with_cte(*firsts, select=qs.annotate(adopted_on=adopted))


def adoption_of(programme: Any, enterprise: Any) -> dict[str, Any]:
    """Where one enterprise stands against the programme's rule: each condition met or not, with
    the record that meets it, and the day it adopted (None if it has not)."""
    rule = adoption_rule(programme)
    conditions = []
    if rule.training_method_id:
        first = (
            rule_trainings(programme, rule)
            .filter(enterprise=enterprise)
            .select_related("activity")
            .order_by("activity__held_on")
            .first()
        )
        day = first.activity.held_on if first else None
        conditions.append({"kind": "training", "method": rule.training_method, "record": first, "day": day})
    if rule.self_assessment_required:
        first = accepted_self_assessments(rule).filter(enterprise=enterprise).order_by("accepted_on").first()
        conditions.append(
            {"kind": "self_assessment", "record": first, "day": first.accepted_on if first else None}
        )
    # As :func:`adopters` dates it: the later of the conditions' first days, once all are met.
    met = all(c["record"] is not None for c in conditions)
    adopted_on = max(c["day"] for c in conditions) if met else None
    counted = adopted_on is not None and programme.start_date <= adopted_on <= programme.end_date
    return {"rule": rule, "conditions": conditions, "adopted_on": adopted_on, "counted": counted}


def _by_category(framework_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    """Per category of the framework, in order: its points, the points ``rows`` (entries with an
    ``item`` and ``points``) give it, the share, and those rows."""
    out = []
    for category in Category.objects.filter(framework_id=framework_id).order_by("order"):
        mine = [r for r in rows if r.item.category_id == category.pk]
        scored = sum((r.points or Decimal(0) for r in mine), Decimal(0))
        share = round(float(scored) * 100 / category.points, 1) if category.points else None
        out.append(
            {
                "category": category,
                "points": category.points,
                "scored": scored,
                "percent": share,
                "rows": mine,
            }
        )
    return out


def category_profile(assessment: SelfAssessment) -> list[dict[str, Any]]:
    """Per category: its points, the points the self-assessment gives it and the share, and
    whether every item of it is answered (the profile a feedback report charts)."""
    profile = _by_category(assessment.framework_id, list(assessment.items.select_related("item__category")))
    return [{**p, "complete": all(e.percent is not None for e in p["rows"])} for p in profile]


# --- Expert assessments ------------------------------------------------------------------------------


def panel_table(assessment: ExpertAssessment, user: Any) -> dict[str, Any]:
    """Per item: each expert's percentage the user may read (None where hidden), the spread and
    flag, the consensus row; and the reviews in panel order."""
    reviews = list(
        ExpertReview.objects.visible_to(user)
        .filter(assessment=assessment)
        .select_related("expert")
        .order_by("pk")
    )
    scores: dict[tuple[int, int], ExpertItemScore] = {
        (s.review_id, s.item_id): s
        for s in ExpertItemScore.objects.visible_to(user).filter(review__in=[r.pk for r in reviews])
    }
    consensus = {c.item_id: c for c in ConsensusItem.objects.visible_to(user).filter(assessment=assessment)}
    own = {}
    if assessment.self_assessment_id:
        own = {
            e.item_id: e
            for e in SelfAssessmentItem.objects.visible_to(user).filter(
                assessment_id=assessment.self_assessment_id
            )
        }
    items = Item.objects.filter(category__framework=assessment.framework_id).select_related("category")
    rows = []
    for item in items.order_by("category__order", "order"):
        cells = [scores.get((r.pk, item.pk)) for r in reviews]
        shown = [c.percent for c in cells if c is not None]
        rows.append(
            {
                "item": item,
                "cells": cells,
                "spread": max(shown) - min(shown) if len(shown) > 1 else None,
                "consensus": consensus.get(item.pk),
                "self": own.get(item.pk),
            }
        )
    return {"reviews": reviews, "rows": rows}


def consensus_profile(assessment: ExpertAssessment) -> list[dict[str, Any]]:
    """Per category: its points, the consensus score and share, and the self-assessed share to
    compare with (the feedback report's chart)."""
    own = category_profile(assessment.self_assessment) if assessment.self_assessment_id else []
    own_by = {p["category"].pk: p["percent"] for p in own}
    profile = _by_category(assessment.framework_id, list(assessment.consensus.select_related("item")))
    return [{**p, "self_percent": own_by.get(p["category"].pk)} for p in profile]


# --- Benchmarks -------------------------------------------------------------------------------------


def benchmark_rule(programme: Any) -> BenchmarkRule:
    """The programme's benchmark rules, or the defaults (an unsaved rule)."""
    try:
        return programme.benchmark_rule
    except BenchmarkRule.DoesNotExist:
        return BenchmarkRule(programme=programme)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


@dataclass
class Check:
    """One rule for one candidate: met or missed, with what decided it (a record, or None)."""

    key: str
    label: str
    met: bool
    detail: str
    record: Any = None


@dataclass
class Candidate:
    enterprise: Any
    assessment: Any  # the latest completed expert assessment, or None
    checks: list[Check] = field(default_factory=list)
    benchmark: Any = None  # the programme's decision on it, if any

    @property
    def meets_all(self) -> bool:
        return all(c.met for c in self.checks)

    @property
    def missed(self) -> list[Check]:
        return [c for c in self.checks if not c.met]


def _completed(rule: BenchmarkRule, on: datetime.date) -> QuerySet:
    qs = ExpertAssessment.objects.filter(status=ExpertAssessmentStatus.COMPLETED, completed_on__lte=on)
    return qs.filter(framework_id=rule.framework_id) if rule.framework_id else qs


def candidates(
    programme: Any,
    on: datetime.date,
    *,
    enterprises: QuerySet | None = None,
    ids: list[int] | None = None,
) -> list[Candidate]:
    """Every enterprise of the programme's region with a completed expert assessment by ``on``
    (or those ``ids``), and for each the programme's benchmark rules met or missed on that day.
    ``enterprises`` narrows to what a user may see. A handful of queries whatever the count."""
    rule = benchmark_rule(programme)
    assessed = _completed(rule, on).filter(in_subtree("region_id", region_prefix(programme.region_id)))
    if enterprises is not None:
        assessed = assessed.filter(enterprise__in=enterprises)
    if ids is not None:
        assessed = assessed.filter(enterprise_id__in=ids)
    latest: dict[int, ExpertAssessment] = {}
    for a in assessed.select_related("enterprise").order_by("enterprise_id", "-completed_on", "-pk"):
        latest.setdefault(a.enterprise_id, a)
    chosen = sorted(set(latest) | set(ids or []))
    firms = Enterprise.objects.in_bulk(chosen)
    failed: dict[int, SamplingInspection] = {}
    if rule.clean_months:
        since = months_before(on, rule.clean_months)
        for batch in SamplingInspection.objects.filter(
            enterprise_id__in=chosen, result=InspectionResult.FAIL, sampled_on__gt=since, sampled_on__lte=on
        ).order_by("sampled_on"):
            failed[batch.enterprise_id] = batch  # the latest
    open_severe: dict[int, Problem] = {}
    if rule.no_open_severe_problem:
        for problem in Problem.objects.filter(
            enterprise_id__in=chosen,
            severity=Severity.SEVERE,
            status__in=[ProblemStatus.OPEN, ProblemStatus.CORRECTED],
        ).order_by("found_on"):
            open_severe.setdefault(problem.enterprise_id, problem)
    adopted: dict[int, datetime.date] = {}
    if rule.min_adopted_months is not None:
        adopted = dict(adopters(programme).filter(pk__in=chosen).values_list("pk", "adopted_on"))
    decided = {
        b.enterprise_id: b for b in Benchmark.objects.filter(programme=programme, enterprise_id__in=chosen)
    }
    out = []
    for pk in chosen:
        assessment = latest.get(pk)
        checks = []
        if rule.min_score is not None:
            total = assessment.total if assessment else None
            checks.append(
                Check(
                    "score",
                    _("Consensus total ≥ %(min)s") % {"min": rule.min_score},
                    total is not None and total >= rule.min_score,
                    str(total) if total is not None else str(_("no completed expert assessment")),
                    assessment,
                )
            )
        if rule.clean_months:
            batch = failed.get(pk)
            checks.append(
                Check(
                    "inspections",
                    _("No failed batch in %(n)s months") % {"n": rule.clean_months},
                    batch is None,
                    str(_("failed %(day)s: %(batch)s") % {"day": batch.sampled_on, "batch": batch.batch_id})
                    if batch
                    else str(_("none failed")),
                    batch,
                )
            )
        if rule.no_open_severe_problem:
            problem = open_severe.get(pk)
            checks.append(
                Check(
                    "problems",
                    _("No open severe problem"),
                    problem is None,
                    str(problem) if problem else str(_("none open")),
                    problem,
                )
            )
        if rule.min_adopted_months is not None:
            day = adopted.get(pk)
            needed = months_before(on, rule.min_adopted_months)
            checks.append(
                Check(
                    "adoption",
                    _("Adopted the model ≥ %(n)s months before") % {"n": rule.min_adopted_months},
                    day is not None and day <= needed,
                    str(day) if day else str(_("not an adopter")),
                )
            )
        out.append(Candidate(firms[pk], assessment, checks, decided.get(pk)))
    return out


def approved_benchmarks(programme: Any) -> QuerySet:
    """Enterprises the bureau approved as quality benchmarks of the programme during it (not
    revoked), each dated by its approval (``benchmark_on``); not yet narrowed to a region."""
    approved = Benchmark.objects.filter(
        programme=programme,
        status=BenchmarkStatus.APPROVED,
        approved_on__gte=programme.start_date,
        approved_on__lte=programme.end_date,
    )
    first = _firsts(approved, "approved_on", "benchmark_approved")
    qs = first.join(Enterprise.objects.all(), pk=first.col.enterprise_id)
    return with_cte(first, select=qs.annotate(benchmark_on=first.col.day))


def public_benchmarks() -> QuerySet:
    """Approved, not revoked benchmarks, for the public list (by year and cluster)."""
    return (
        Benchmark.objects.filter(status=BenchmarkStatus.APPROVED)
        .select_related("enterprise", "cluster", "programme", "region")
        .order_by("-approved_on", "cluster__name", "enterprise__name")
    )


def public_benchmark_clusters() -> QuerySet:
    """The clusters that have a listed benchmark (the public list's filter)."""
    from uplift.registry.models import IndustrialCluster

    return IndustrialCluster.objects.filter(
        pk__in=Benchmark.objects.filter(status=BenchmarkStatus.APPROVED).values("cluster_id")
    ).order_by("name")


def enterprise_status(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise page's excellence card: its self-assessments, expert assessments and
    benchmark titles the user may see, and where it stands against each visible programme's
    adoption rule (the conditions met or not, and the day it adopted)."""
    from uplift.programmes.models import Programme

    standing = []
    # Whether a firm's self-assessment was accepted is the firm's and its bureau's to read.
    if user.has_perm("excellence.view_selfassessment"):
        region = enterprise.region_id
        standing = [
            {"programme": p, **adoption_of(p, enterprise)}
            for p in Programme.objects.visible_to(user).order_by("-start_date")
            if region.startswith(region_prefix(p.region_id))
        ]
    return {
        "self_assessments": SelfAssessment.objects.visible_to(user).filter(enterprise=enterprise),
        "expert_assessments": ExpertAssessment.objects.visible_to(user).filter(enterprise=enterprise),
        "benchmarks": Benchmark.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("programme"),
        "adoption": standing,
    }


# --- Work items (uplift.core.work): what waits for each role in the excellence model ------------


work_source(
    SelfAssessment,
    key="excellence.self_assessments_to_review",
    label=gettext_lazy("Self-assessments to review"),
    hint=gettext_lazy("Submitted by enterprises: accept each, or return it saying what to change."),
    audience=OFFICERS,
    permission="excellence.change_selfassessment",
    params={"status": SelfAssessmentStatus.SUBMITTED},
)

work_source(
    SelfAssessment,
    key="excellence.self_assessments_returned",
    label=gettext_lazy("Self-assessments returned to you"),
    hint=gettext_lazy("The bureau asks for changes: revise and submit again."),
    audience=ENTERPRISES,
    permission="excellence.change_selfassessment",
    params={"status": SelfAssessmentStatus.RETURNED},
)

# Experts read others' reviews only once submitted: the assigned ones listed are their own.
work_source(
    ExpertReview,
    key="excellence.expert_reviews_to_submit",
    label=gettext_lazy("Excellence assessments to score"),
    hint=gettext_lazy("Score the enterprise on every item, then submit your review."),
    audience=EXPERTS,
    permission="excellence.change_expertreview",
    params={"status": ReviewStatus.ASSIGNED},
)
