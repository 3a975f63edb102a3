"""Pages of procurement: each model declared once, its workflow steps as actions, and the scoring page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from uplift.accounts.access import principal_of
from uplift.core.forms import ReasonForm
from uplift.core.views import Action, ObjectViews, run_service

from . import filtersets, forms, selectors, services, tables
from .choices import BidStatus, SheetStatus, TenderStatus
from .models import (
    Award,
    Bid,
    Clarification,
    Contract,
    Criterion,
    Lot,
    Milestone,
    PanelMember,
    Payment,
    ScoreSheet,
    Tender,
)


def _status_is(*states: str):
    return lambda obj, user: obj.status in states


def _own_bid(bid: Bid, user: Any) -> bool:
    return bid.institution_id in principal_of(user).institution_ids


def _own_seat(member: PanelMember, user: Any) -> bool:
    return member.expert_id in principal_of(user).expert_ids


def _runs_tender(tender: Tender, user: Any) -> bool:
    """The tender's own bureau is offered its steps; other bureaus read a published tender only
    (the services refuse them, and audit the attempt, should they try)."""
    return services.runs_tender(user, tender)


TENDER_ACTIONS = [
    Action(
        "publish",
        gettext_lazy("Publish"),
        services.tender_publish,
        "tender",
        when=_status_is("draft"),
        irreversible=True,
        offer=_runs_tender,
        help=gettext_lazy(
            "The notice appears on the public tender page and institutions may bid; from then on "
            "the tender can be cancelled, not edited."
        ),
    ),
    Action(
        "close",
        gettext_lazy("Close bidding"),
        services.tender_close,
        "tender",
        when=_status_is("published"),
        irreversible=True,
        offer=_runs_tender,
        help=gettext_lazy("No bid is accepted any more; the bids stay sealed until they are opened."),
    ),
    Action(
        "open",
        gettext_lazy("Open the bids"),
        services.tender_open,
        "tender",
        when=_status_is("closed"),
        irreversible=True,
        offer=_runs_tender,
        help=gettext_lazy(
            "Every bid is unsealed and checked against its commitment; the panel then reads the prices."
        ),
    ),
    Action(
        "award",
        gettext_lazy("Award"),
        services.tender_award,
        "tender",
        when=_status_is("evaluating"),
        irreversible=True,
        offer=_runs_tender,
        help=gettext_lazy("Every lot is scored from the submitted sheets and awarded to its top-ranked bid."),
    ),
    Action(
        "draw_panel",
        gettext_lazy("Draw the panel at random"),
        services.panel_draw,
        "tender",
        form=forms.PanelDrawForm,
        when=lambda obj, user: (
            obj.status in services.evaluation.PANEL_OPEN_STATES
            and user.has_perm("procurement.add_panelmember")
            and services.runs_tender(user, obj)
        ),
        help=gettext_lazy(
            "The experts are drawn by lot from the registry, leaving out those already on the panel "
            "and those employed by a bidder; the draw and its seed are kept in the audit trail so "
            "anyone can re-run it."
        ),
    ),
    Action(
        "cancel",
        gettext_lazy("Cancel the tender"),
        services.tender_cancel,
        "tender",
        form=ReasonForm,
        danger=True,
        irreversible=True,
        when=_status_is("draft", "published", "closed", "evaluating"),
        offer=_runs_tender,
        help=gettext_lazy("The reason is published with the notice."),
    ),
]


def tender_extra(tender: Tender, user: Any) -> dict[str, Any]:
    lots = list(
        Lot.objects.visible_to(user)
        .filter(tender=tender)
        .select_related("pilot__cluster__region", "award__bid__institution")
    )
    criteria = list(Criterion.objects.visible_to(user).filter(tender=tender))
    return {
        "lots": lots,
        "criteria": criteria,
        "weights_total": sum((c.weight for c in criteria), Decimal(0)),
        "clarifications": Clarification.objects.visible_to(user).filter(tender=tender),
        "bids": Bid.objects.visible_to(user).filter(lot__tender=tender).select_related("institution", "lot"),
        "panel": PanelMember.objects.visible_to(user).filter(tender=tender).select_related("expert"),
        "problems": services.publication_problems(tender) if tender.status == TenderStatus.DRAFT else [],
        "can_bid": tender.status == TenderStatus.PUBLISHED and bool(principal_of(user).institution_ids),
        "can_ask": tender.status == TenderStatus.PUBLISHED and user.has_perm("procurement.add_clarification"),
        "is_draft": tender.status == TenderStatus.DRAFT,
    }


def lot_extra(lot: Lot, user: Any) -> dict[str, Any]:
    """The evaluation report: for the bureau as it goes, for everyone once awarded."""
    tender = lot.tender
    show = selectors.evaluation_report_visible(tender, user)
    return {
        "results": selectors.lot_results(lot) if show else None,
        "tender": tender,
        "bids": Bid.objects.visible_to(user).filter(lot=lot).select_related("institution"),
        "missing": selectors.missing_sheets(lot) if show and tender.status == TenderStatus.EVALUATING else [],
    }


def bid_extra(bid: Bid, user: Any) -> dict[str, Any]:
    own = selectors.own_sealed_content(bid, user)
    receipt = selectors.receipt(bid) if _own_bid(bid, user) else None
    return {"own": own, "receipt": receipt, "sealed": bid.lot.tender.is_sealed}


def member_extra(member: PanelMember, user: Any) -> dict[str, Any]:
    seat = _own_seat(member, user)
    lots = []
    if seat and member.tender.status == TenderStatus.EVALUATING:
        for lot in member.tender.lots.all():
            sheet = member.sheets.filter(lot=lot).first()
            lots.append({"lot": lot, "sheet": sheet, "conflict": selectors.conflict_reason(member, lot)})
    return {"seat": seat, "score_lots": lots, "conflicts": member.conflicts.all()}


def sheet_extra(sheet: ScoreSheet, user: Any) -> dict[str, Any]:
    return {
        "scores": sheet.scores.select_related("bid__institution", "criterion").order_by(
            "bid_id", "criterion__position"
        )
    }


tender_views = ObjectViews(
    model=Tender,
    table=tables.TenderTable,
    filterset=filtersets.TenderFilterSet,
    form=forms.TenderForm,
    services=services,
    select_related=("programme",),
    detail_fields=[
        "reference",
        "title",
        "programme",
        "status",
        "description",
        "published_at",
        "clarification_deadline",
        "bid_deadline",
        "opening_at",
        "opened_at",
        "evaluation_on",
        "awarded_at",
        "standstill_days",
        "price_formula",
        "price_deduction",
        "bonus_years",
        "bonus_points",
        "drop_extremes",
        "closing_reason",
    ],
    detail_template="procurement/tender_detail.html",
    detail_extra=tender_extra,
    actions=TENDER_ACTIONS,
)
lot_views = ObjectViews(
    model=Lot,
    table=tables.LotTable,
    filterset=filtersets.LotFilterSet,
    form=forms.LotForm,
    services=services,
    select_related=("tender", "pilot__cluster", "pilot__programme"),
    detail_fields=["tender", "number", "title", "pilot", "budget_ceiling", "status"],
    detail_template="procurement/lot_detail.html",
    detail_extra=lot_extra,
)
criterion_views = ObjectViews(
    model=Criterion,
    table=tables.CriterionTable,
    filterset=filtersets.CriterionFilterSet,
    form=forms.CriterionForm,
    services=services,
    select_related=("tender",),
    detail_fields=["tender", "position", "kind", "name", "weight"],
    nav=False,
    parent="tender",
)
clarification_views = ObjectViews(
    model=Clarification,
    table=tables.ClarificationTable,
    filterset=filtersets.ClarificationFilterSet,
    form=forms.ClarificationForm,
    services=services,
    select_related=("tender",),
    detail_fields=["tender", "question", "answer", "answered_at"],
    actions=[
        Action(
            "answer",
            gettext_lazy("Answer and publish"),
            services.clarification_answer,
            "clarification",
            form=forms.AnswerForm,
            when=lambda obj, user: obj.answered_at is None,
        )
    ],
)
bid_views = ObjectViews(
    model=Bid,
    table=tables.BidTable,
    filterset=filtersets.BidFilterSet,
    form=forms.BidForm,
    services=services,
    verbs={"create": "bid_submit", "update": "bid_replace"},
    select_related=("lot__tender", "institution"),
    detail_fields=[
        "lot",
        "institution",
        "status",
        "submitted_at",
        "commitment",
        "price",
        "proposal",
        "commitment_ok",
        "disqualified_reason",
        "quality_score",
        "price_score",
        "bonus",
        "total",
        "rank",
    ],
    detail_template="procurement/bid_detail.html",
    detail_extra=bid_extra,
    actions=[
        Action(
            "withdraw",
            gettext_lazy("Withdraw the bid"),
            services.bid_withdraw,
            "bid",
            danger=True,
            when=lambda obj, user: obj.status == BidStatus.SUBMITTED and _own_bid(obj, user),
            help=gettext_lazy(
                "The bid no longer takes part in the tender. You may submit a bid again until the "
                "bid deadline."
            ),
        ),
        Action(
            "disqualify",
            gettext_lazy("Disqualify"),
            services.bid_disqualify,
            "bid",
            form=ReasonForm,
            danger=True,
            irreversible=True,
            help=gettext_lazy(
                "The bid takes no further part in the evaluation; the reason is in the report."
            ),
            when=lambda obj, user: (
                obj.status == BidStatus.OPENED
                and obj.lot.tender.status == TenderStatus.EVALUATING
                and principal_of(user).is_officer
            ),
        ),
    ],
)
panel_views = ObjectViews(
    model=PanelMember,
    table=tables.PanelMemberTable,
    filterset=filtersets.PanelMemberFilterSet,
    form=forms.PanelMemberForm,
    services=services,
    service_prefix="panel_member",
    select_related=("tender", "expert"),
    detail_fields=["tender", "expert", "is_chair", "declared_at", "conflicts"],
    detail_template="procurement/panelmember_detail.html",
    detail_extra=member_extra,
    actions=[
        Action(
            "declare",
            gettext_lazy("Declare conflicts of interest"),
            services.conflicts_declare,
            "member",
            permission="view",
            form=forms.DeclareForm,
            when=lambda obj, user: (
                _own_seat(obj, user)
                and obj.tender.status
                in (TenderStatus.CLOSED, TenderStatus.EVALUATING, TenderStatus.PUBLISHED)
            ),
        )
    ],
)
sheet_views = ObjectViews(
    model=ScoreSheet,
    table=tables.ScoreSheetTable,
    filterset=filtersets.ScoreSheetFilterSet,
    select_related=("lot__tender", "member__expert"),
    detail_fields=["lot", "member", "status", "submitted_at"],
    detail_template="procurement/scoresheet_detail.html",
    detail_extra=sheet_extra,
    actions=[
        Action(
            "submit",
            gettext_lazy("Submit the scores"),
            services.sheet_submit,
            "sheet",
            when=lambda obj, user: obj.status == SheetStatus.DRAFT and _own_seat(obj.member, user),
            irreversible=True,
            help=gettext_lazy("Submitted scores are final. You will then see the other experts' sheets."),
        )
    ],
)
award_views = ObjectViews(
    model=Award,
    table=tables.AwardTable,
    filterset=filtersets.AwardFilterSet,
    select_related=("lot__tender", "bid__institution"),
    detail_fields=["lot", "bid", "amount", "decided_at", "standstill_ends"],
)
contract_views = ObjectViews(
    model=Contract,
    table=tables.ContractTable,
    filterset=filtersets.ContractFilterSet,
    form=forms.ContractForm,
    services=services,
    select_related=("institution",),
    detail_fields=[
        "reference",
        "award",
        "institution",
        "amount",
        "signed_on",
        "start_date",
        "end_date",
        "status",
    ],
    detail_template="procurement/contract_detail.html",
    detail_extra=lambda obj, user: {
        "milestones": Milestone.objects.visible_to(user).filter(contract=obj),
        "payments": Payment.objects.visible_to(user).filter(contract=obj).select_related("milestone"),
    },
)
milestone_views = ObjectViews(
    model=Milestone,
    table=tables.MilestoneTable,
    filterset=filtersets.MilestoneFilterSet,
    form=forms.MilestoneForm,
    services=services,
    select_related=("contract__institution",),
    detail_fields=["contract", "title", "due_date", "amount", "status", "note"],
    nav=False,
    parent="contract",
)
payment_views = ObjectViews(
    model=Payment,
    table=tables.PaymentTable,
    filterset=filtersets.PaymentFilterSet,
    form=forms.PaymentForm,
    services=services,
    select_related=("contract__institution", "milestone"),
    detail_fields=["contract", "milestone", "paid_on", "amount", "reference"],
    nav=False,
    parent="contract",
)


class ScoreView(LoginRequiredMixin, TemplateView):
    """An expert's score sheet for one lot: every opened bid against every expert criterion.

    Only the expert of the panel seat may open it; others' scores are not on it.
    """

    template_name = "procurement/score.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.member = get_object_or_404(
            PanelMember.objects.visible_to(request.user).select_related("tender", "expert"), pk=kwargs["pk"]
        )
        if not _own_seat(self.member, request.user):
            raise Http404
        self.lot = get_object_or_404(
            Lot.objects.visible_to(request.user), pk=kwargs["lot"], tender=self.member.tender
        )
        return super().dispatch(request, *args, **kwargs)

    def cells(self):
        bids = list(
            Bid.objects.visible_to(self.request.user)
            .filter(lot=self.lot, status=BidStatus.OPENED)
            .select_related("institution")
        )
        criteria = selectors.expert_criteria(self.member.tender)
        sheet = (
            ScoreSheet.objects.visible_to(self.request.user).filter(member=self.member, lot=self.lot).first()
        )
        saved = {(s.bid_id, s.criterion_id): s for s in sheet.scores.all()} if sheet else {}
        return bids, criteria, sheet, saved

    def post(self, request, *args, **kwargs):
        bids, criteria, sheet, saved = self.cells()
        scores, errors = {}, []
        for bid in bids:
            for c in criteria:
                raw = (request.POST.get(f"p-{bid.pk}-{c.pk}") or "").strip().replace(",", ".")
                remark = (request.POST.get(f"r-{bid.pk}-{c.pk}") or "").strip()
                if not raw:
                    scores[(bid.pk, c.pk)] = (None, remark)
                    continue
                try:
                    scores[(bid.pk, c.pk)] = (Decimal(raw), remark)
                except InvalidOperation:
                    errors.append(
                        _("%(bidder)s · %(criterion)s: “%(value)s” is not a number.")
                        % {"bidder": bid.institution, "criterion": c.name, "value": raw[:20]}
                    )
        if not errors:
            try:
                sheet = run_service(
                    services.scores_save, request.user, member=self.member, lot=self.lot, scores=scores
                )
                if "submit" in request.POST:
                    run_service(services.sheet_submit, request.user, sheet=sheet)
                    messages.success(request, _("Your scores for %(lot)s are submitted.") % {"lot": self.lot})
                    return HttpResponseRedirect(sheet.get_absolute_url())
                messages.success(request, _("Draft saved; submit when every bid is scored."))
                return HttpResponseRedirect(request.path)
            except ValidationError as exc:
                errors = exc.messages
        return self.render_to_response(self.get_context_data(errors=errors, posted=request.POST))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        bids, criteria, sheet, saved = self.cells()
        posted = kwargs.get("posted")
        rows = []
        for bid in bids:
            cells = []
            for c in criteria:
                s = saved.get((bid.pk, c.pk))
                points = posted.get(f"p-{bid.pk}-{c.pk}") if posted else (s.points if s else "")
                remark = posted.get(f"r-{bid.pk}-{c.pk}") if posted else (s.remark if s else "")
                cells.append({"criterion": c, "points": points, "remark": remark, "name": f"{bid.pk}-{c.pk}"})
            rows.append({"bid": bid, "cells": cells})
        ctx.update(
            member=self.member,
            lot=self.lot,
            criteria=criteria,
            rows=rows,
            sheet=sheet,
            locked=sheet is not None and sheet.status == SheetStatus.SUBMITTED,
            conflict=selectors.conflict_reason(self.member, self.lot),
        )
        return ctx


@require_safe
@login_required
@permission_required("procurement.view_lot", raise_exception=True)
def evaluation_report_file(request, pk: int, fmt: str):
    """The tender's evaluation report as a download (``pdf`` or ``xlsx``): whoever may read it on
    the lot page (:func:`selectors.evaluation_report_visible`), and a 404 for anyone else, as for
    a tender out of scope."""
    from uplift.core.export import file_response

    from . import evaluation_report as files

    if fmt not in files.CONTENT_TYPES:
        raise Http404
    tender = get_object_or_404(Tender.objects.visible_to(request.user).select_related("programme"), pk=pk)
    report = selectors.evaluation_report(tender, request.user)
    if report is None:
        raise Http404
    write = files.write_pdf if fmt == "pdf" else files.write_xlsx
    return file_response(lambda f: write(report, f), files.filename(report, fmt), files.CONTENT_TYPES[fmt])
