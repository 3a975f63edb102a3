"""Reads of procurement: evaluation results, the past-grade bonus, what a bidder may read of its bid."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uplift.accounts.access import Principal, in_subtree, principal_of, region_prefix
from uplift.accounts.models import Membership
from uplift.core.work import EXPERTS, INFO, INSTITUTIONS, OFFICERS, OVERDUE, work_source
from uplift.delivery.choices import Grade
from uplift.delivery.models import GradeRecord

from . import scoring, sealing
from .choices import (
    PUBLIC_STATES,
    BidStatus,
    CriterionKind,
    LotStatus,
    MilestoneStatus,
    SheetStatus,
    TenderStatus,
)
from .models import (
    Bid,
    Clarification,
    Contract,
    Criterion,
    Lot,
    Milestone,
    PanelMember,
    Score,
    ScoreSheet,
    Tender,
)


def latest_grade(institution_id: int, *, on: datetime.date, years: int) -> GradeRecord | None:
    """The institution's latest acceptance grade dated within ``years`` before ``on``."""
    since = (
        on.replace(year=on.year - years)
        if not (on.month == 2 and on.day == 29)
        else on.replace(year=on.year - years, day=28)
    )
    return (
        GradeRecord.objects.filter(institution_id=institution_id, accepted_on__gte=since, accepted_on__lte=on)
        .order_by("-accepted_on", "-pk")
        .first()
    )


def bonus_for(tender: Tender, institution_id: int) -> tuple[Decimal, str]:
    """The past-grade bonus of a bidder in ``tender`` and why (or why not)."""
    on = (tender.opened_at or tender.bid_deadline).date()
    grade = latest_grade(institution_id, on=on, years=tender.bonus_years)
    if grade is None:
        return Decimal(0), _("No acceptance grade within %(years)s years.") % {"years": tender.bonus_years}
    reason = _("Latest grade %(grade)s (%(project)s, %(date)s).") % {
        "grade": grade.get_grade_display(),
        "project": grade.project_title,
        "date": grade.accepted_on.isoformat(),
    }
    return (tender.bonus_points if grade.grade == Grade.EXCELLENT else Decimal(0)), reason


def expert_criteria(tender: Tender) -> list[Criterion]:
    return [c for c in tender.criteria.all() if c.kind != CriterionKind.PRICE]


def lot_results(lot: Lot) -> list[scoring.BidResult]:
    """Every valid bid of ``lot`` scored and ranked from the submitted score sheets."""
    tender = lot.tender
    criteria = list(tender.criteria.all())
    price_criterion = next((c for c in criteria if c.kind == CriterionKind.PRICE), None)
    others = [c for c in criteria if c.kind != CriterionKind.PRICE]
    bids = list(lot.bids.filter(status=BidStatus.OPENED).select_related("institution"))
    points: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    sheets = ScoreSheet.objects.filter(lot=lot, status=SheetStatus.SUBMITTED)
    for bid_id, criterion_id, value in (
        sheets.values_list("scores__bid_id", "scores__criterion_id", "scores__points")
        .exclude(scores__bid_id=None)
        .order_by("member_id", "scores__bid_id", "scores__criterion_id")
    ):
        points[(bid_id, criterion_id)].append(value)
    lowest = min((b.price for b in bids), default=Decimal(0))
    results = []
    for bid in bids:
        r = scoring.BidResult(
            bid_id=bid.pk, bidder=str(bid.institution), price=bid.price, submitted_at=bid.submitted_at
        )
        for c in others:
            given = points.get((bid.pk, c.pk), [])
            kept = scoring.kept_points(given, drop_extremes=tender.drop_extremes)
            r.criteria.append(scoring.CriterionScore(c.pk, c.name, c.weight, given, kept, scoring.mean(kept)))
        r.quality = sum((cs.mean for cs in r.criteria), Decimal(0))
        if price_criterion is not None:
            r.price_score = scoring.price_score(
                bid.price,
                lowest,
                weight=price_criterion.weight,
                formula=tender.price_formula,
                deduction=tender.price_deduction,
            )
        r.bonus, r.bonus_reason = bonus_for(tender, bid.institution_id)
        r.total = r.quality + r.price_score + r.bonus
        results.append(r)
    return scoring.rank(results)


def conflict_reason(member: PanelMember, lot: Lot) -> str | None:
    """Why ``member`` may not score ``lot`` (a bidder they are in conflict with), or None."""
    bidders = {
        b.institution for b in lot.bids.select_related("institution").exclude(status=BidStatus.WITHDRAWN)
    }
    declared = set(member.conflicts.all())
    employer = (member.expert.employer or "").strip()
    for bidder in sorted(bidders, key=lambda i: i.pk):
        if bidder in declared:
            return _("declared a conflict with %(bidder)s") % {"bidder": bidder}
        if employer and employer == bidder.name:
            return _("works for %(bidder)s") % {"bidder": bidder}
        if (
            member.expert.user_id
            and Membership.objects.filter(
                user_id=member.expert.user_id, organisation__institution=bidder, is_active=True
            ).exists()
        ):
            return _("belongs to %(bidder)s") % {"bidder": bidder}
    return None


def missing_sheets(lot: Lot) -> list[str]:
    """The panel members who may score ``lot`` and have not submitted their sheet."""
    submitted = set(
        ScoreSheet.objects.filter(lot=lot, status=SheetStatus.SUBMITTED).values_list("member_id", flat=True)
    )
    return [
        str(m.expert)
        for m in lot.tender.panel.select_related("expert")
        if m.pk not in submitted and conflict_reason(m, lot) is None
    ]


# --- The evaluation report: the lot page's card, and the tender's report as a file -----------------


def evaluation_report_visible(tender: Tender, user: Any) -> bool:
    """Whether ``user`` may read ``tender``'s evaluation report (the lot page's card and the files):
    once the bids are opened, its bureau as the evaluation goes (the figures provisional until the
    award), and everyone who reads the tender once it is awarded."""
    if tender.opened_at is None:
        return False
    if tender.status == TenderStatus.AWARDED:
        return True
    return user.has_perm("procurement.change_lot") and runs_tender(user, tender)


def runs_tender(actor: Any, tender: Tender) -> bool:
    """Whether ``actor`` acts for the bureau whose programme ``tender`` buys for (or is the system).

    A published tender is public, so other bureaus' officers can read it; its steps (publishing,
    answering questions, the panel, opening, disqualifying, the award, the contract) and its
    evaluation report before the award remain its own bureau's alone.
    """
    from uplift.core.services import is_system

    return is_system(actor) or principal_of(actor).officer_for(tender.programme.region_id)


@dataclass
class ExpertSheet:
    """One expert's submitted sheet for a lot: per bid, the points per expert criterion."""

    #: The expert's name for whoever may read the sheet itself; "Expert 2" for anyone else (the
    #: experts are numbered in the order of the points listed on the lot page).
    label: str
    submitted_at: datetime.datetime | None
    #: (bidder, points per expert criterion in the report's order (None when not scored), sum).
    rows: list[tuple[str, list[Decimal | None], Decimal]]


@dataclass
class LotReport:
    lot: Lot
    #: The valid bids scored and ranked: the page's own selector, :func:`lot_results`.
    results: list[scoring.BidResult]
    #: The bids disqualified at or after the opening, with their reasons (not ranked).
    disqualified: list[Bid]
    sheets: list[ExpertSheet]
    #: The experts still to submit (during the evaluation).
    missing: list[str]


@dataclass
class EvaluationReport:
    """Everything the evaluation report of a tender shows, gathered once for its files."""

    tender: Tender
    criteria: list[Criterion]
    expert_criteria: list[Criterion]
    price_criterion: Criterion | None
    lots: list[LotReport]
    provisional: bool
    generated_at: datetime.datetime


def evaluation_report(tender: Tender, user: Any) -> EvaluationReport | None:
    """The evaluation report of ``tender`` as ``user`` may read it, or None when they may not
    (:func:`evaluation_report_visible`): every lot's results (:func:`lot_results`, as on the lot
    page), its disqualified bids, and each expert's submitted sheet, named for whoever may read the
    sheet (``ScoreSheet.visible_to``) and numbered for anyone else."""
    if not evaluation_report_visible(tender, user):
        return None
    criteria = list(tender.criteria.all())
    others = [c for c in criteria if c.kind != CriterionKind.PRICE]
    readable = set(
        ScoreSheet.objects.visible_to(user).filter(lot__tender=tender).values_list("pk", flat=True)
    )
    bidders: dict[int, str] = {}
    disqualified: dict[int, list[Bid]] = defaultdict(list)
    for bid in opened_bids([tender.pk]):
        bidders[bid.pk] = str(bid.institution)
        if bid.status == BidStatus.DISQUALIFIED:
            disqualified[bid.lot_id].append(bid)
    lots = []
    for lot in tender.lots.select_related("pilot__cluster").order_by("number"):
        results = lot_results(lot)
        order = [r.bid_id for r in results] + [b.pk for b in disqualified.get(lot.pk, [])]
        sheets = list(
            ScoreSheet.objects.filter(lot=lot, status=SheetStatus.SUBMITTED)
            .select_related("member__expert")
            .order_by("member_id")
        )
        points: dict[tuple[int, int, int], Decimal] = {
            (s, b, c): v
            for s, b, c, v in Score.objects.filter(sheet__in=sheets).values_list(
                "sheet_id", "bid_id", "criterion_id", "points"
            )
        }
        expert_sheets = []
        for n, sheet in enumerate(sheets, start=1):
            rows = []
            for bid_id in order:
                cells = [points.get((sheet.pk, bid_id, c.pk)) for c in others]
                if any(v is not None for v in cells):
                    rows.append(
                        (bidders.get(bid_id, ""), cells, sum((v for v in cells if v is not None), Decimal(0)))
                    )
            label = str(sheet.member.expert) if sheet.pk in readable else _("Expert %(n)s") % {"n": n}
            expert_sheets.append(ExpertSheet(label=label, submitted_at=sheet.submitted_at, rows=rows))
        lots.append(
            LotReport(
                lot=lot,
                results=results,
                disqualified=disqualified.get(lot.pk, []),
                sheets=expert_sheets,
                missing=missing_sheets(lot) if tender.status == TenderStatus.EVALUATING else [],
            )
        )
    return EvaluationReport(
        tender=tender,
        criteria=criteria,
        expert_criteria=others,
        price_criterion=next((c for c in criteria if c.kind == CriterionKind.PRICE), None),
        lots=lots,
        provisional=tender.status != TenderStatus.AWARDED,
        generated_at=timezone.now(),
    )


def own_sealed_content(bid: Bid, user: Any) -> dict[str, Any] | None:
    """A sealed bid's price and proposal for its own bidder; None for anyone else.

    The one place a bid is unsealed before the opening: its bidder checking what it sent.
    """
    if bid.status != BidStatus.SUBMITTED or bid.institution_id not in principal_of(user).institution_ids:
        return None
    try:
        price, proposal = sealing.unseal(bid.sealed)
    except sealing.SealBroken:
        return None
    return {"price": price, "proposal": proposal}


def receipt(bid: Bid) -> dict[str, str]:
    """What the bidder's receipt shows: enough to recompute the commitment."""
    return {
        "tender": bid.lot.tender.reference,
        "lot": str(bid.lot.number),
        "bidder": bid.institution.credit_code,
        "submitted_at": bid.submitted_at.isoformat(),
        "salt": bid.salt,
        "commitment": bid.commitment,
    }


def public_tenders() -> QuerySet[Tender]:
    """Tenders anyone may read, signed in or not: every one published (a draft cancelled before
    its publication never was)."""
    return Tender.objects.filter(status__in=PUBLIC_STATES, published_at__isnull=False).select_related(
        "programme__region"
    )


# --- The programme's procurement figures ---------------------------------------------------------
# A lot is the service of one pilot, so a tender's, a lot's or a contract's place is the region and
# the cluster of its pilot. A draft tender is not procurement yet: it counts nowhere. The metrics
# count these and the lists they drill down to filter by them (``?procured_in=<slug>``).


def procurement_lots(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet[Lot]:
    """The lots of the programme's tenders past their draft, within a region or for one cluster."""
    qs = Lot.objects.filter(tender__programme=programme).exclude(tender__status=TenderStatus.DRAFT)
    if region:
        qs = qs.filter(in_subtree("pilot__cluster__region_id", region_prefix(region)))
    return qs.filter(pilot__cluster_id=cluster_id) if cluster_id else qs


def procurement_tenders(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet[Tender]:
    """The programme's tenders past their draft with a lot in the region or for the cluster."""
    lots = procurement_lots(programme, region=region, cluster_id=cluster_id)
    return Tender.objects.filter(pk__in=lots.values("tender_id"))


def procurement_contracts(
    programme: Any, *, region: str | None = None, cluster_id: int | None = None
) -> QuerySet[Contract]:
    """The contracts signed for the lots of the programme's tenders (whatever their status since)."""
    lots = procurement_lots(programme, region=region, cluster_id=cluster_id)
    return Contract.objects.filter(award__lot_id__in=lots.values("pk"))


# --- Publication: the public pages and the OCDS export -----------------------------------------
# What anyone may read, signed in or not. Sealed content never leaves the database through these
# reads: bids are read without their ciphertext, salt and proposal, and only once their tender has
# been opened (before that their price column is empty anyway).

#: Bid columns never read for publication.
UNPUBLISHED_BID_FIELDS = ("sealed", "salt", "proposal")


def public_tender_list(*, status: str | None = None, programme: str | None = None) -> QuerySet[Tender]:
    """Tender notices, newest first, with their number of lots and total budget ceiling."""
    qs = public_tenders().annotate(lot_count=Count("lots"), budget=Sum("lots__budget_ceiling"))
    if status:
        qs = qs.filter(status=status)
    if programme:
        qs = qs.filter(programme__slug=programme)
    return qs.order_by("-published_at", "-pk")


def public_programmes() -> QuerySet[Any]:
    """Programmes with at least one published tender (the choices of the public list's filter)."""
    from uplift.programmes.models import Programme

    return Programme.objects.filter(pk__in=public_tenders().values("programme_id")).order_by(
        "-start_date", "name"
    )


def public_tender(reference: str) -> Tender | None:
    """The published tender with ``reference``, or None (a draft is not public)."""
    return public_tenders().filter(reference=reference).first()


def buyer_names(regions: Any) -> dict[str, str]:
    """The name of the bureau at each of ``regions``: its organisation's, else "<region>市场监督管理局"."""
    from uplift.accounts.choices import OrganisationKind
    from uplift.accounts.models import Organisation

    names = {region.code: f"{region.name}市场监督管理局" for region in regions}
    for code, name in (
        Organisation.objects.filter(kind=OrganisationKind.BUREAU, region_id__in=list(names))
        .order_by("-pk")
        .values_list("region_id", "name")
    ):
        names[code] = name  # the oldest bureau organisation of a region wins
    return names


@dataclass
class PublicNotice:
    """Everything the public notice of a tender shows, read in a fixed number of queries."""

    tender: Tender
    buyer: str
    lots: list[Lot]
    criteria: list[Criterion]
    clarifications: list[dict[str, Any]]
    #: Per lot, its opened bids in the order received (empty while the bids are sealed).
    opening: dict[int, list[Bid]] = field(default_factory=dict)
    #: Per lot, its valid bids by rank (empty until the award).
    ranking: dict[int, list[Bid]] = field(default_factory=dict)


def public_notice(tender: Tender) -> PublicNotice:
    """The public notice of a published ``tender``: lots, criteria, answered questions, opening, result.

    Answered questions are read without who asked them. The opening record exists only once the
    tender has been opened; the ranking only once it has been awarded.
    """
    lots = list(
        tender.lots.select_related("pilot__cluster", "award__bid__institution")
        .defer(*(f"award__bid__{f}" for f in UNPUBLISHED_BID_FIELDS))
        .order_by("number")
    )
    clarifications = list(
        tender.clarifications.filter(answered_at__isnull=False)
        .order_by("answered_at", "pk")
        .values("question", "answer", "answered_at")
    )
    notice = PublicNotice(
        tender=tender,
        buyer=buyer_names([tender.programme.region])[tender.programme.region_id],
        lots=lots,
        criteria=list(tender.criteria.all()),
        clarifications=clarifications,
    )
    if tender.is_sealed:
        return notice
    for bid in opened_bids([tender.pk]):
        notice.opening.setdefault(bid.lot_id, []).append(bid)
        if tender.awarded_at is not None and bid.rank is not None:
            notice.ranking.setdefault(bid.lot_id, []).append(bid)
    for ranked in notice.ranking.values():
        ranked.sort(key=lambda b: b.rank)
    return notice


def opened_bids(tender_ids: Any) -> QuerySet[Bid]:
    """The bids read at the opening of the (opened) tenders ``tender_ids``, without sealed content.

    A bid withdrawn before the deadline was never opened and is left out; so is any bid of a
    tender not yet opened.
    """
    return (
        Bid.objects.filter(lot__tender_id__in=tender_ids, lot__tender__opened_at__isnull=False)
        .filter(status__in=(BidStatus.OPENED, BidStatus.DISQUALIFIED))
        .select_related("institution__region")
        .defer(*UNPUBLISHED_BID_FIELDS)
        .order_by("lot_id", "submitted_at", "pk")
    )


@dataclass
class OcdsSource:
    """The published tenders and everything about them that the OCDS export maps."""

    tenders: list[Tender]
    lots: dict[int, list[Lot]]  # by tender id, each with its award and contract when there are
    criteria: dict[int, list[Criterion]]  # by tender id
    bids: dict[int, list[Bid]]  # by lot id, opened tenders only
    milestones: dict[int, list[Any]]  # by contract id
    payments: dict[int, list[Any]]  # by contract id
    buyers: dict[str, str]  # bureau name by region code


def ocds_source(*, programme: str | None = None) -> OcdsSource:
    """What `uplift export ocds` publishes, in a fixed number of queries whatever the volume."""

    from .models import Payment

    qs = public_tenders().annotate(
        answered=Count("clarifications", filter=Q(clarifications__answered_at__isnull=False))
    )
    if programme:
        qs = qs.filter(programme__slug=programme)
    tenders = list(qs.order_by("reference"))
    ids = [t.pk for t in tenders]
    lots: dict[int, list[Lot]] = defaultdict(list)
    for lot in (
        Lot.objects.filter(tender_id__in=ids)
        .select_related(
            "pilot__cluster", "award__bid__institution__region", "award__contract__institution__region"
        )
        .defer(*(f"award__bid__{f}" for f in UNPUBLISHED_BID_FIELDS))
        .order_by("tender_id", "number")
    ):
        lots[lot.tender_id].append(lot)
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for c in Criterion.objects.filter(tender_id__in=ids).order_by("tender_id", "position", "pk"):
        criteria[c.tender_id].append(c)
    bids: dict[int, list[Bid]] = defaultdict(list)
    for bid in opened_bids([t.pk for t in tenders if not t.is_sealed]):
        bids[bid.lot_id].append(bid)
    contract_ids = [
        lot.award.contract.pk
        for lot_list in lots.values()
        for lot in lot_list
        if hasattr(lot, "award") and hasattr(lot.award, "contract")
    ]
    milestones: dict[int, list[Any]] = defaultdict(list)
    for m in Milestone.objects.filter(contract_id__in=contract_ids).order_by("contract_id", "due_date", "pk"):
        milestones[m.contract_id].append(m)
    payments: dict[int, list[Any]] = defaultdict(list)
    for p in Payment.objects.filter(contract_id__in=contract_ids).order_by("contract_id", "paid_on", "pk"):
        payments[p.contract_id].append(p)
    return OcdsSource(
        tenders=tenders,
        lots=dict(lots),
        criteria=dict(criteria),
        bids=dict(bids),
        milestones=dict(milestones),
        payments=dict(payments),
        buyers=buyer_names({t.programme.region for t in tenders}),
    )


# --- Deadlines -----------------------------------------------------------------------------------


def deadline_passed(tenders: QuerySet[Tender], now: datetime.datetime | None = None) -> QuerySet[Tender]:
    """Those of ``tenders`` whose bid deadline has passed."""
    return tenders.filter(bid_deadline__lt=now or timezone.now())


def deadline_ahead(tenders: QuerySet[Tender], now: datetime.datetime | None = None) -> QuerySet[Tender]:
    """Those of ``tenders`` still taking bids by the clock (the deadline is now or later)."""
    return tenders.filter(bid_deadline__gte=now or timezone.now())


def lots_open_for_bids(lots: QuerySet[Lot], now: datetime.datetime | None = None) -> QuerySet[Lot]:
    """Those of ``lots`` an institution can bid for now: open lots of published tenders whose bid
    deadline is still ahead (what ``services.bid_submit`` accepts)."""
    return lots.filter(
        status=LotStatus.OPEN,
        tender__status=TenderStatus.PUBLISHED,
        tender__bid_deadline__gt=now or timezone.now(),
    )


def overdue_milestones(
    milestones: QuerySet[Milestone], today: datetime.date | None = None
) -> QuerySet[Milestone]:
    """Those of ``milestones`` still scheduled after their due date."""
    return milestones.filter(status=MilestoneStatus.SCHEDULED, due_date__lt=today or timezone.localdate())


# --- Work items (uplift.core.work): what waits for each role in procurement ----------------------

#: A tender whose bid deadline has passed waits for the bureau: to close bidding, open the bids,
#: or (once the panel has scored) award.
WAITING_FOR_BUREAU = (TenderStatus.PUBLISHED, TenderStatus.CLOSED, TenderStatus.EVALUATING)
#: Questions are answered while bidding runs or is closed before the opening.
ANSWERABLE = (TenderStatus.PUBLISHED, TenderStatus.CLOSED)
#: How far ahead an institution is reminded of its contracts' milestones.
MILESTONE_NOTICE_DAYS = 30


def buyer_code(p: Principal) -> str | None:
    """The region code of the officer's (first) bureau: the buyer of the tenders they run.

    Every officer reads every published tender, so "the tenders I run" is the buyer's region, not
    the scope; an officer of two bureaus is reminded of the first one's (their list filters by one).
    """
    return p.region_prefixes[0].ljust(6, "0") if p.region_prefixes else None


work_source(
    Tender,
    key="procurement.tenders_past_deadline",
    label=gettext_lazy("Tenders past their bid deadline"),
    hint=gettext_lazy("Close bidding, open the bids, or award once the panel has scored."),
    audience=OFFICERS,
    permission="procurement.change_tender",
    params=lambda p: {"status": list(WAITING_FOR_BUREAU), "deadline_passed": "true", "buyer": buyer_code(p)},
)

work_source(
    Clarification,
    key="procurement.clarifications_to_answer",
    label=gettext_lazy("Bidders' questions to answer"),
    audience=OFFICERS,
    permission="procurement.change_clarification",
    params={"answered": "false", "tender_status": list(ANSWERABLE)},
)

work_source(
    Milestone,
    key="procurement.milestones_overdue",
    label=gettext_lazy("Contract milestones overdue"),
    hint=gettext_lazy("Still scheduled after their due date."),
    audience=(OFFICERS, INSTITUTIONS),
    params={"overdue": "true"},
    tone=OVERDUE,
)


def _notice_window(p: Principal) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "status": MilestoneStatus.SCHEDULED,
        "due_after": today.isoformat(),
        "due_before": (today + datetime.timedelta(days=MILESTONE_NOTICE_DAYS)).isoformat(),
    }


work_source(
    Milestone,
    key="procurement.milestones_due",
    label=gettext_lazy("Contract milestones due within 30 days"),
    audience=INSTITUTIONS,
    params=_notice_window,
    tone=INFO,
)

work_source(
    Tender,
    key="procurement.tenders_open_for_bids",
    label=gettext_lazy("Tenders open for bids"),
    audience=INSTITUTIONS,
    permission="procurement.add_bid",
    params={"status": TenderStatus.PUBLISHED, "deadline_passed": "false"},
    tone=INFO,
)

# An expert sees their own seats only: the scope narrows the list to them.
work_source(
    PanelMember,
    key="procurement.conflicts_to_declare",
    label=gettext_lazy("Panel seats awaiting your declaration of conflicts"),
    hint=gettext_lazy("Declare your conflicts of interest (possibly none) before scoring."),
    audience=EXPERTS,
    permission="procurement.view_panelmember",
    params={"declared": "false", "tender_status": list(WAITING_FOR_BUREAU)},
)

work_source(
    PanelMember,
    key="procurement.tenders_to_score",
    label=gettext_lazy("Tenders under evaluation on your panel"),
    hint=gettext_lazy("Score each lot's bids from your panel seat, then submit the sheet."),
    audience=EXPERTS,
    params={"tender_status": TenderStatus.EVALUATING},
    tone=INFO,
)

# An expert sees others' sheets only once submitted: the drafts listed are their own.
work_source(
    ScoreSheet,
    key="procurement.score_sheets_to_submit",
    label=gettext_lazy("Bid score sheets to submit"),
    audience=EXPERTS,
    permission="procurement.change_scoresheet",
    params={"status": SheetStatus.DRAFT, "tender_status": TenderStatus.EVALUATING},
)
