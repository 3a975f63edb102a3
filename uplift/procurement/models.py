"""Public procurement of the pilots' services: tender, lots, criteria, sealed bids, evaluation,
award and contract.

A bid's price and proposal are sealed: until the tender is opened they exist in the database only
as ciphertext (see :mod:`uplift.procurement.sealing`), so no page, API, export, backup or database
reader can see them; the bidder holds a SHA-256 commitment of exactly what it submitted, checked
at the opening.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

from .choices import (
    BidStatus,
    ContractStatus,
    CriterionKind,
    LotStatus,
    MilestoneStatus,
    PriceFormula,
    SheetStatus,
    TenderStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Tender(ScopedModel):
    """A public call for tenders (招标) of a programme, one lot per pilot project.

    The timeline runs publication → clarification deadline → bid deadline → opening → evaluation →
    award → end of the standstill period; each move is a service (``tender_publish`` ...) that
    checks the state and the clock, and is recorded on the tender's history.
    """

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="tenders"
    )
    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]{2,39}$", _("Use capital letters, digits and hyphens, e.g. HBZB-2018-01.")
            )
        ],
        help_text=_("The tender number, e.g. HBZB-2018-01."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TenderStatus.choices, default=TenderStatus.DRAFT, db_index=True
    )
    price_formula = models.CharField(
        _("price-score formula"), max_length=10, choices=PriceFormula.choices, default=PriceFormula.PRO_RATA
    )
    price_deduction = models.DecimalField(
        _("deduction per percent above the lowest price"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0)],
        help_text=_("Used by the deduction formula only."),
    )
    bonus_years = models.PositiveSmallIntegerField(
        _("bonus look-back (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("An institution whose latest acceptance grade within this many years is Excellent…"),
    )
    bonus_points = models.DecimalField(
        _("bonus points"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("…gets this many points added to its total."),
    )
    drop_extremes = models.BooleanField(
        _("drop the highest and lowest score"),
        default=True,
        help_text=_("With five or more experts, each criterion's highest and lowest score are left out."),
    )
    clarification_deadline = models.DateTimeField(_("clarification deadline"))
    bid_deadline = models.DateTimeField(_("bid deadline"))
    opening_at = models.DateTimeField(_("opening"))
    evaluation_on = models.DateField(_("evaluation (planned)"), null=True, blank=True)
    standstill_days = models.PositiveSmallIntegerField(
        _("standstill period (days)"), default=7, validators=[MaxValueValidator(60)]
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    closing_reason = models.TextField(_("reason for cancelling"), blank=True, editable=False)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-bid_deadline", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_sealed(self) -> bool:
        """Whether bids are still sealed (the tender has not been opened)."""
        return self.opened_at is None

    def clean(self) -> None:
        errors = {}
        if (
            self.clarification_deadline
            and self.bid_deadline
            and self.clarification_deadline > self.bid_deadline
        ):
            errors["clarification_deadline"] = _("The clarification deadline is after the bid deadline.")
        if self.bid_deadline and self.opening_at and self.opening_at < self.bid_deadline:
            errors["opening_at"] = _("The opening is before the bid deadline.")
        if errors:
            raise ValidationError(errors)


class Lot(ScopedModel):
    """One lot of a tender: the service of one pilot project, with its budget ceiling."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="lots"
    )
    number = models.PositiveSmallIntegerField(_("lot number"), validators=[MinValueValidator(1)])
    pilot = models.ForeignKey(
        "programmes.PilotProject",
        verbose_name=_("pilot project"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    title = models.CharField(_("title"), max_length=200)
    budget_ceiling = models.DecimalField(_("budget ceiling (yuan)"), **MONEY, validators=POSITIVE)
    status = models.CharField(
        _("status"), max_length=12, choices=LotStatus.choices, default=LotStatus.OPEN, editable=False
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_unique_number"),
            models.UniqueConstraint(fields=["tender", "pilot"], name="lot_unique_pilot"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.reference}/{self.number} {self.title}"

    def clean(self) -> None:
        if self.tender_id and self.pilot_id and self.pilot.programme_id != self.tender.programme_id:
            raise ValidationError({"pilot": _("The pilot project belongs to another programme.")})


class Criterion(ScopedModel):
    """An award criterion of a tender and its weight: the points it is worth out of 100.

    Experts score every criterion but price, from 0 to its weight; the price criterion is computed
    from the prices by the tender's formula.
    """

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="criteria"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=CriterionKind.choices)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight (points)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("award criterion")
        verbose_name_plural = _("award criteria")
        ordering = ["tender_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender"], condition=models.Q(kind="price"), name="criterion_one_price"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight:g})"

    def clean(self) -> None:
        if (
            self.kind == CriterionKind.PRICE
            and self.tender_id
            and Criterion.objects.filter(tender_id=self.tender_id, kind=CriterionKind.PRICE)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"kind": _("A tender has one price criterion.")})


class Clarification(ScopedModel):
    """A question about a tender and the bureau's answer, published to every bidder once answered."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="clarifications"
    )
    question = models.TextField(_("question"), max_length=4000)
    asked_by = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("asked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True, max_length=8000)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["tender_id", "created_at", "pk"]

    def __str__(self) -> str:
        return self.question[:60]


class Bid(ScopedModel):
    """An institution's offer for one lot.

    Until the opening, ``sealed`` holds the price and proposal encrypted and ``price``/``proposal``
    are empty; ``commitment`` is the SHA-256 the bidder's receipt shows. The opening decrypts,
    checks the commitment and fills the plain fields.
    """

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="bids")
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("bidder"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BidStatus.choices, default=BidStatus.SUBMITTED, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), editable=False)
    sealed = models.TextField(_("sealed content"), editable=False)
    commitment = models.CharField(_("commitment (SHA-256)"), max_length=64, editable=False)
    salt = models.CharField(_("salt"), max_length=32, editable=False)
    price = models.DecimalField(_("price (yuan)"), **MONEY, null=True, blank=True, editable=False)
    proposal = models.TextField(_("proposal"), blank=True, editable=False)
    commitment_ok = models.BooleanField(_("commitment checked"), null=True, editable=False)
    disqualified_reason = models.TextField(_("reason for disqualification"), blank=True, editable=False)
    price_score = models.DecimalField(
        _("price score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    quality_score = models.DecimalField(
        _("other criteria score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    bonus = models.DecimalField(
        _("past-grade bonus"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    total = models.DecimalField(
        _("total score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True, editable=False)

    #: The salt is the bidder's: with it, a commitment to a short proposal could be brute-forced.
    audit_exclude = ("salt",)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lot_id", "rank", "submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["lot", "institution"], name="bid_one_per_bidder")]

    def __str__(self) -> str:
        return f"{self.institution} → {self.lot}"

    @property
    def is_valid(self) -> bool:
        return self.status == BidStatus.OPENED


class PanelMember(ScopedModel):
    """An expert on a tender's evaluation panel, drawn from the expert registry.

    Before scoring, the expert declares conflicts of interest; an expert in conflict with any
    bidder of a lot does not score that lot.
    """

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="panel"
    )
    expert = models.ForeignKey(
        "registry.Expert", verbose_name=_("expert"), on_delete=models.PROTECT, related_name="panels"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    declared_at = models.DateTimeField(_("conflicts declared at"), null=True, blank=True, editable=False)
    conflicts = models.ManyToManyField(
        "registry.ServiceInstitution",
        verbose_name=_("declared conflicts"),
        blank=True,
        related_name="+",
        help_text=_("Institutions the expert works for, has worked for in three years, or is related to."),
    )

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["tender_id", "-is_chair", "expert_id"]
        constraints = [models.UniqueConstraint(fields=["tender", "expert"], name="panel_unique_expert")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.tender.reference}"


class ScoreSheet(ScopedModel):
    """One expert's scores for the bids of one lot, kept from other eyes until submitted."""

    member = models.ForeignKey(
        PanelMember, verbose_name=_("panel member"), on_delete=models.PROTECT, related_name="sheets"
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="sheets")
    status = models.CharField(
        _("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["lot_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "lot"], name="sheet_unique_member_lot")]

    def __str__(self) -> str:
        return f"{self.member.expert} · {self.lot}"


class Score(ScopedModel):
    """The points one expert gave one bid on one criterion, with a remark."""

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="scores"
    )
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["sheet_id", "bid_id", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "bid", "criterion"], name="score_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.points}"

    def clean(self) -> None:
        if self.criterion_id and self.points is not None and self.points > self.criterion.weight:
            raise ValidationError(
                {
                    "points": _("%(criterion)s is scored from 0 to %(max)s.")
                    % {"criterion": self.criterion.name, "max": f"{self.criterion.weight:g}"}
                }
            )


class Award(ScopedModel):
    """The decision to award a lot to its top-ranked bid; a contract follows the standstill."""

    lot = models.OneToOneField(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="award")
    bid = models.OneToOneField(
        Bid, verbose_name=_("winning bid"), on_delete=models.PROTECT, related_name="award"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    decided_at = models.DateTimeField(_("decided at"))
    standstill_ends = models.DateTimeField(_("standstill ends"))

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["lot_id"]

    def __str__(self) -> str:
        return f"{self.lot} → {self.bid.institution}"


class Contract(ScopedModel):
    """The contract signed with the awarded institution; signing creates its service project."""

    award = models.OneToOneField(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="contract"
    )
    institution = models.ForeignKey(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        on_delete=models.PROTECT,
        related_name="contracts",
        editable=False,
    )
    reference = models.CharField(_("contract number"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=POSITIVE)
    signed_on = models.DateField(_("signed on"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.SIGNED
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.institution}"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if self.award_id and self.amount is not None and self.amount > self.award.amount:
            errors["amount"] = _("The contract amount exceeds the awarded amount (%(amount)s).") % {
                "amount": f"{self.award.amount:,.2f}"
            }
        if errors:
            raise ValidationError(errors)


class Milestone(ScopedModel):
    """A deliverable of a contract with its due date, its share of the payment and whether it was met."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(
        _("payment due (yuan)"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        _("status"), max_length=14, choices=MilestoneStatus.choices, default=MilestoneStatus.SCHEDULED
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract_id", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.contract_id and self.amount is not None:
            others = (
                Milestone.objects.filter(contract_id=self.contract_id)
                .exclude(pk=self.pk)
                .aggregate(s=models.Sum("amount"))["s"]
                or 0
            )
            if others + self.amount > self.contract.amount:
                raise ValidationError(
                    {
                        "amount": _("The milestones' payments would exceed the contract amount of %(total)s.")
                        % {"total": f"{self.contract.amount:,.2f}"}
                    }
                )


class Payment(ScopedModel):
    """A payment made under a contract, optionally against a milestone."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=POSITIVE)
    reference = models.CharField(_("voucher number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["contract_id", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.paid_on}: {self.amount:,.2f}"

    def clean(self) -> None:
        errors = {}
        if self.milestone_id and self.contract_id and self.milestone.contract_id != self.contract_id:
            errors["milestone"] = _("The milestone belongs to another contract.")
        if self.contract_id and self.amount is not None:
            paid = (
                Payment.objects.filter(contract_id=self.contract_id)
                .exclude(pk=self.pk)
                .aggregate(s=models.Sum("amount"))["s"]
                or 0
            )
            if paid + self.amount > self.contract.amount:
                errors["amount"] = _(
                    "Payments would exceed the contract amount: %(paid)s already paid of %(total)s."
                ) % {"paid": f"{paid:,.2f}", "total": f"{self.contract.amount:,.2f}"}
        if errors:
            raise ValidationError(errors)
