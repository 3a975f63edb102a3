"""Pages of the excellence model: frameworks (reference data), self-assessments with their
workflow, and programmes' adoption rules."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView

from uplift.accounts.access import principal_of
from uplift.core import selectors as core_selectors
from uplift.core.forms import ReasonForm
from uplift.core.views import Action, ObjectViews
from uplift.delivery.forms import AssignExpertForm
from uplift.programmes.models import Programme
from uplift.registry.models import Enterprise

from . import filtersets, forms, selectors, services, tables
from .choices import OPEN_STATES, BenchmarkStatus, ExpertAssessmentStatus, ReviewStatus, SelfAssessmentStatus
from .forms import localised
from .models import (
    AdoptionRule,
    Benchmark,
    BenchmarkRule,
    Category,
    ExpertAssessment,
    ExpertItemScore,
    ExpertReview,
    Framework,
    Item,
    SelfAssessment,
)


def _officer(user: Any) -> bool:
    return principal_of(user).is_officer or user.is_superuser


def _writer(obj: SelfAssessment, user: Any) -> bool:
    return obj.status in OPEN_STATES and (
        _officer(user) or obj.enterprise_id in principal_of(user).enterprise_ids
    )


def _reviewable(obj: SelfAssessment, user: Any) -> bool:
    return obj.status == SelfAssessmentStatus.SUBMITTED and _officer(user)


def framework_extra(framework: Framework, user: Any) -> dict[str, Any]:
    categories = Category.objects.visible_to(user).filter(framework=framework).prefetch_related("items")
    return {
        "categories": [
            {
                "category": c,
                "name": localised(c, "name"),
                "items": [
                    {"item": i, "name": localised(i, "name"), "guidance": localised(i, "guidance")}
                    for i in c.items.all()
                ],
            }
            for c in categories
        ],
        "bands": [
            {**b, "process_text": localised(b, "process"), "results_text": localised(b, "results")}
            for b in framework.bands
        ],
    }


def self_assessment_extra(assessment: SelfAssessment, user: Any) -> dict[str, Any]:
    entries = list(
        assessment.items.visible_to(user)
        .select_related("item__category")
        .order_by("item__category__order", "item__order")
    )
    framework = assessment.framework
    rows = [
        {
            "entry": e,
            "name": localised(e.item, "name"),
            "category": e.item.category,
            "band": framework.band_of(e.percent),
        }
        for e in entries
    ]
    profile = selectors.category_profile(assessment)
    files: dict[str, list[Any]] = {}
    for f in core_selectors.attachments_of(assessment, user):
        if f.section and not f.is_removed:
            files.setdefault(f.section, []).append(f)
    for row in rows:
        row["files"] = files.get(row["entry"].item.code, [])
    return {
        "rows": rows,
        "profile": profile,
        "scored": sum((e.points or 0 for e in entries), 0),
        "answered": sum(1 for e in entries if e.percent is not None and e.narrative.strip()),
        "chart": {
            "kind": "hbar",
            "unit": "%",
            "categories": [f"{p['category'].code} {localised(p['category'], 'name')}" for p in profile],
            "series": [
                {"name": str(gettext_lazy("Self-assessed")), "data": [p["percent"] or 0 for p in profile]}
            ],
        },
    }


framework_views = ObjectViews(
    model=Framework,
    table=tables.FrameworkTable,
    filterset=filtersets.FrameworkFilterSet,
    detail_fields=["code", "name", "name_en", "total_points", "step"],
    detail_template="excellence/framework_detail.html",
    detail_extra=framework_extra,
)

self_assessment_views = ObjectViews(
    model=SelfAssessment,
    table=tables.SelfAssessmentTable,
    filterset=filtersets.SelfAssessmentFilterSet,
    form=forms.SelfAssessmentForm,
    services=services,
    service_prefix="self_assessment",
    select_related=("enterprise", "framework", "accepted_by"),
    detail_fields=[
        "enterprise",
        "framework",
        "year",
        "status",
        "total",
        "profile",
        "submitted_at",
        "comments",
        "accepted_on",
        "accepted_by",
    ],
    detail_template="excellence/selfassessment_detail.html",
    detail_extra=self_assessment_extra,
    can_edit=lambda obj, user: obj.status in OPEN_STATES,
    actions=[
        Action(
            "respond",
            gettext_lazy("Write the items"),
            services.self_assessment_respond,
            "assessment",
            form=forms.ResponsesForm,
            when=_writer,
            help=gettext_lazy(
                "Per item, what the enterprise does and achieves, and the percentage it gives itself in "
                "the framework's bands. Save as often as you like until you submit."
            ),
        ),
        Action(
            "submit",
            gettext_lazy("Submit to the bureau"),
            services.self_assessment_submit,
            "assessment",
            when=_writer,
            help=gettext_lazy(
                "Every item needs its percentage and narrative; the bureau then accepts or returns it."
            ),
        ),
        Action(
            "return",
            gettext_lazy("Return for changes"),
            services.self_assessment_return,
            "assessment",
            form=ReasonForm,
            danger=True,
            when=_reviewable,
            help=gettext_lazy("Say what the enterprise should change; it can then edit and submit again."),
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            services.self_assessment_accept,
            "assessment",
            when=_reviewable,
            irreversible=True,
            help=gettext_lazy(
                "From today the self-assessment counts towards the enterprise adopting the model."
            ),
        ),
    ],
)

adoption_rule_views = ObjectViews(
    model=AdoptionRule,
    table=tables.AdoptionRuleTable,
    filterset=filtersets.AdoptionRuleFilterSet,
    form=forms.AdoptionRuleForm,
    services=services,
    service_prefix="adoption_rule",
    select_related=("programme", "training_method", "framework"),
    detail_fields=["programme", "training_method", "self_assessment_required", "framework", "min_self_score"],
)


# --- Expert assessments ------------------------------------------------------------------------------


def _panel_done(assessment: ExpertAssessment) -> bool:
    reviews = assessment.reviews.exclude(status=ReviewStatus.WITHDRAWN)
    return reviews.exists() and not reviews.filter(status=ReviewStatus.ASSIGNED).exists()


def _status_is(*states: str):
    return lambda obj, user: obj.status in states and _officer(user)


def profile_chart(profile: list[dict[str, Any]], *, with_self: bool) -> dict[str, Any]:
    series = [{"name": str(gettext_lazy("Consensus")), "data": [p["percent"] or 0 for p in profile]}]
    if with_self:
        series.append(
            {"name": str(gettext_lazy("Self-assessed")), "data": [p["self_percent"] or 0 for p in profile]}
        )
    return {
        "kind": "hbar",
        "unit": "%",
        "categories": [f"{p['category'].code} {localised(p['category'], 'name')}" for p in profile],
        "series": series,
    }


def expert_assessment_extra(assessment: ExpertAssessment, user: Any) -> dict[str, Any]:
    table = selectors.panel_table(assessment, user)
    for row in table["rows"]:
        row["name"] = localised(row["item"], "name")
    profile = (
        selectors.consensus_profile(assessment) if assessment.status != ExpertAssessmentStatus.SCORING else []
    )
    return {
        **table,
        "profile": profile,
        "chart": profile_chart(profile, with_self=bool(assessment.self_assessment_id)) if profile else None,
        "flagged": sum(1 for r in table["rows"] if r["consensus"] and r["consensus"].flagged),
    }


expert_assessment_views = ObjectViews(
    model=ExpertAssessment,
    table=tables.ExpertAssessmentTable,
    filterset=filtersets.ExpertAssessmentFilterSet,
    form=forms.ExpertAssessmentForm,
    services=services,
    service_prefix="expert_assessment",
    select_related=("enterprise", "framework", "self_assessment", "completed_by"),
    detail_fields=[
        "enterprise",
        "framework",
        "year",
        "self_assessment",
        "visited_on",
        "spread_threshold",
        "status",
        "total",
        "summary",
        "completed_on",
        "completed_by",
    ],
    detail_template="excellence/expertassessment_detail.html",
    detail_extra=expert_assessment_extra,
    can_edit=lambda obj, user: obj.status != ExpertAssessmentStatus.COMPLETED,
    actions=[
        Action(
            "assign",
            gettext_lazy("Assign an expert"),
            services.expert_assessment_assign,
            "assessment",
            form=AssignExpertForm,
            when=_status_is(ExpertAssessmentStatus.SCORING),
            help=gettext_lazy(
                "Each expert scores every item on their own; no one reads their scores before they "
                "submit. An expert who works for or belongs to the enterprise is refused."
            ),
        ),
        Action(
            "consensus",
            gettext_lazy("Open the consensus round"),
            services.expert_assessment_consensus,
            "assessment",
            when=lambda obj, user: _status_is(ExpertAssessmentStatus.SCORING)(obj, user) and _panel_done(obj),
            help=gettext_lazy(
                "Every expert has submitted. Items whose percentages differ by more than the threshold "
                "are flagged for discussion; each item starts at the experts' mean."
            ),
        ),
        Action(
            "agree",
            gettext_lazy("Record the consensus"),
            services.expert_assessment_agree,
            "assessment",
            form=forms.ConsensusForm,
            when=_status_is(ExpertAssessmentStatus.CONSENSUS),
            help=gettext_lazy(
                "Per item the agreed percentage, its rationale (required on a flagged item), the "
                "strengths and the opportunities for improvement: the feedback report's lines."
            ),
        ),
        Action(
            "complete",
            gettext_lazy("Complete the assessment"),
            services.expert_assessment_complete,
            "assessment",
            when=_status_is(ExpertAssessmentStatus.CONSENSUS),
            irreversible=True,
            help=gettext_lazy("Fixes the total out of 1,000; the enterprise then reads its feedback report."),
        ),
    ],
)


def _own(review: ExpertReview, user: Any) -> bool:
    return review.expert_id in principal_of(user).expert_ids


def _may_score(review: ExpertReview, user: Any) -> bool:
    return (
        review.status == ReviewStatus.ASSIGNED
        and review.assessment.status == ExpertAssessmentStatus.SCORING
        and _own(review, user)
    )


def expert_review_extra(review: ExpertReview, user: Any) -> dict[str, Any]:
    scores = {s.item_id: s for s in ExpertItemScore.objects.visible_to(user).filter(review=review)}
    items = (
        Item.objects.visible_to(user)
        .filter(category__framework=review.assessment.framework_id)
        .order_by("category__order", "order")
    )
    return {
        "rows": [{"item": i, "name": localised(i, "name"), "score": scores.get(i.pk)} for i in items],
        "scores_hidden": review.status == ReviewStatus.ASSIGNED and not _own(review, user),
    }


expert_review_views = ObjectViews(
    model=ExpertReview,
    table=tables.ExpertReviewTable,
    filterset=filtersets.ExpertReviewFilterSet,
    select_related=("assessment__enterprise", "expert"),
    detail_fields=[
        "assessment",
        "expert",
        "status",
        "opinion",
        "no_conflict",
        "assigned_by",
        "submitted_at",
        "withdrawn_reason",
    ],
    detail_template="excellence/expertreview_detail.html",
    detail_extra=expert_review_extra,
    actions=[
        Action(
            "score",
            gettext_lazy("Score"),
            services.expert_review_score,
            "review",
            form=forms.ExpertScoresForm,
            when=_may_score,
            help=gettext_lazy(
                "Your own percentage and reasons on each item. Save as often as you like; no one reads "
                "them until you submit."
            ),
        ),
        Action(
            "submit",
            gettext_lazy("Submit my review"),
            services.expert_review_submit,
            "review",
            form=forms.SubmitExpertReviewForm,
            when=_may_score,
            irreversible=True,
            help=gettext_lazy("Final: your scores can no longer change, and the bureau reads them."),
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw from the panel"),
            services.expert_review_withdraw,
            "review",
            form=ReasonForm,
            danger=True,
            when=lambda obj, user: obj.status == ReviewStatus.ASSIGNED and _officer(user),
        ),
    ],
)


# --- Benchmarks ----------------------------------------------------------------------------------------

benchmark_rule_views = ObjectViews(
    model=BenchmarkRule,
    table=tables.BenchmarkRuleTable,
    filterset=filtersets.BenchmarkRuleFilterSet,
    form=forms.BenchmarkRuleForm,
    services=services,
    service_prefix="benchmark_rule",
    select_related=("programme", "framework"),
    detail_fields=[
        "programme",
        "min_score",
        "framework",
        "clean_months",
        "no_open_severe_problem",
        "min_adopted_months",
    ],
)

benchmark_views = ObjectViews(
    model=Benchmark,
    table=tables.BenchmarkTable,
    filterset=filtersets.BenchmarkFilterSet,
    form=forms.BenchmarkForm,
    services=services,
    verbs={"create": "benchmark_approve", "update": "benchmark_update"},
    select_related=("enterprise", "programme", "cluster", "approved_by"),
    detail_fields=[
        "programme",
        "enterprise",
        "cluster",
        "assessment",
        "approved_on",
        "approved_by",
        "reason",
        "missed",
        "override_reason",
        "status",
        "revoked_reason",
    ],
    can_edit=lambda obj, user: obj.status == BenchmarkStatus.APPROVED,
    actions=[
        Action(
            "revoke",
            gettext_lazy("Revoke the title"),
            services.benchmark_revoke,
            "benchmark",
            form=ReasonForm,
            danger=True,
            irreversible=True,
            when=lambda obj, user: obj.status == BenchmarkStatus.APPROVED and _officer(user),
            help=gettext_lazy(
                "It no longer counts nor appears on the public list; the decision stays on record."
            ),
        ),
    ],
)


class CandidatesForm(django_forms.Form):
    programme = django_forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=None)
    on = django_forms.DateField(
        label=gettext_lazy("Decision day"),
        required=False,
        widget=django_forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The rules are checked as of this day (today by default)."),
    )
    show = django_forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("All candidates")),
            ("meets", gettext_lazy("Meeting every rule")),
            ("misses", gettext_lazy("Missing a rule")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.visible_to(user).order_by("-start_date")


class BenchmarkCandidatesView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The enterprises of a programme's region with a completed expert assessment, and for each
    the benchmark rules it meets or misses on the day, with the record behind each; an officer
    approves from here (the rules are checked again by the service)."""

    permission_required = "excellence.add_benchmark"
    template_name = "excellence/benchmark_candidates.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET
        form = CandidatesForm(params or None, user=user)
        ctx["form"] = form
        if not form.is_bound or not form.is_valid():
            return ctx
        programme = form.cleaned_data["programme"]
        on = form.cleaned_data["on"] or timezone.localdate()
        rows = selectors.candidates(programme, on, enterprises=Enterprise.objects.visible_to(user))
        total, meeting = len(rows), sum(1 for r in rows if r.meets_all)
        show = form.cleaned_data["show"]
        if show == "meets":
            rows = [r for r in rows if r.meets_all]
        elif show == "misses":
            rows = [r for r in rows if not r.meets_all]
        rows.sort(
            key=lambda r: (
                r.benchmark is not None,
                not r.meets_all,
                -(r.assessment.total if r.assessment else 0),
            )
        )
        add = reverse("excellence:benchmark_add")  # prefilled from the query: ?programme=&enterprise=
        ctx.update(
            programme=programme,
            on=on,
            rule=selectors.benchmark_rule(programme),
            rows=rows,
            total=total,
            meeting=meeting,
            approve_base=add,
        )
        return ctx


def feedback(assessment: ExpertAssessment, user: Any) -> dict[str, Any]:
    """What the feedback report shows: the consensus per category and item (strengths,
    opportunities), the comparison with the self-assessment, and the panel's summary."""
    profile = selectors.consensus_profile(assessment)
    rows = list(
        assessment.consensus.visible_to(user)
        .select_related("item__category")
        .order_by("item__category__order", "item__order")
    )
    own = {}
    if assessment.self_assessment_id:
        own = {e.item_id: e for e in assessment.self_assessment.items.visible_to(user)}
    categories = []
    for p in profile:
        items = [
            {"row": r, "name": localised(r.item, "name"), "self": own.get(r.item_id)}
            for r in rows
            if r.item.category_id == p["category"].pk
        ]
        categories.append({**p, "name": localised(p["category"], "name"), "items": items})
    return {
        "assessment": assessment,
        "categories": categories,
        "chart": profile_chart(profile, with_self=bool(assessment.self_assessment_id)),
        "self_total": assessment.self_assessment.total if assessment.self_assessment_id else None,
    }


class FeedbackView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    """The feedback report of a completed expert assessment, as a page or (``?format=pdf``) a PDF."""

    permission_required = "excellence.view_expertassessment"
    template_name = "excellence/feedback.html"

    def get_queryset(self):
        return (
            ExpertAssessment.objects.visible_to(self.request.user)
            .filter(status=ExpertAssessmentStatus.COMPLETED)
            .select_related("enterprise", "framework", "self_assessment")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(feedback(self.object, self.request.user))
        return ctx

    def render_to_response(self, context: dict[str, Any], **kwargs: Any):
        if self.request.GET.get("format") != "pdf":
            return super().render_to_response(context, **kwargs)
        from . import pdf

        body = pdf.feedback_pdf(context, request=self.request)
        response = HttpResponse(body, content_type="application/pdf")
        name = f"feedback-{self.object.enterprise.credit_code}-{self.object.year}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
