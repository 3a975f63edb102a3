"""Forms of procurement: records edited while a tender is a draft, bids, and workflow inputs."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm, UserBoundForm
from uplift.registry.choices import IndustryLevel
from uplift.registry.models import Industry, ServiceInstitution

from .choices import BidStatus
from .models import Bid, Clarification, Contract, Criterion, Lot, Milestone, PanelMember, Payment, Tender


class TenderForm(ScopedModelForm):
    class Meta:
        model = Tender
        fields = [
            "programme",
            "reference",
            "title",
            "description",
            "clarification_deadline",
            "bid_deadline",
            "opening_at",
            "evaluation_on",
            "standstill_days",
            "price_formula",
            "price_deduction",
            "bonus_years",
            "bonus_points",
            "drop_extremes",
        ]


class LotForm(ScopedModelForm):
    class Meta:
        model = Lot
        fields = ["tender", "number", "pilot", "title", "budget_ceiling"]


class CriterionForm(ScopedModelForm):
    class Meta:
        model = Criterion
        fields = ["tender", "position", "kind", "name", "weight"]


class ClarificationForm(ScopedModelForm):
    class Meta:
        model = Clarification
        fields = ["tender", "question"]


class BidForm(ScopedModelForm):
    """A bid as its bidder writes it; sealed as soon as it is saved."""

    price = forms.DecimalField(
        label=_("price (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    proposal = forms.CharField(
        label=_("proposal"),
        widget=forms.Textarea,
        required=False,
        max_length=20000,
        help_text=_("Sealed with the price until the opening; nobody else can read it before then."),
    )

    class Meta:
        model = Bid
        fields = ["lot"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            from .selectors import lots_open_for_bids

            lot = self.fields["lot"]
            lot.queryset = lots_open_for_bids(lot.queryset)
            lot.help_text = _("Only lots of published tenders whose bid deadline is still ahead.")
        else:
            from .selectors import own_sealed_content

            self.fields["lot"].disabled = True
            content = own_sealed_content(self.instance, self.user)
            if content:
                self.initial.update(content)


class PanelMemberForm(ScopedModelForm):
    class Meta:
        model = PanelMember
        fields = ["tender", "expert", "is_chair"]


class ContractForm(ScopedModelForm):
    class Meta:
        model = Contract
        fields = ["award", "reference", "amount", "signed_on", "start_date", "end_date", "status"]


class MilestoneForm(ScopedModelForm):
    class Meta:
        model = Milestone
        fields = ["contract", "title", "due_date", "amount", "status", "note"]


class PaymentForm(ScopedModelForm):
    class Meta:
        model = Payment
        fields = ["contract", "milestone", "paid_on", "amount", "reference"]


# --- Workflow inputs ---------------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea, max_length=8000)


class DeclareForm(UserBoundForm):
    """The institutions an expert is in conflict with, among the tender's bidders."""

    conflicts = forms.ModelMultipleChoiceField(
        label=_("I am in conflict with"),
        queryset=ServiceInstitution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every bidder you work for, have worked for in the last three years, or are otherwise "
            "related to. Leave all unticked to declare no conflict."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The bidders' names are shown to the expert only once the tender is opened.
        bidders = (
            Bid.objects.visible_to(self.user)
            .filter(lot__tender_id=self.obj.tender_id)
            .exclude(status=BidStatus.WITHDRAWN)
        )
        self.fields["conflicts"].queryset = (
            ServiceInstitution.objects.filter(pk__in=bidders.values("institution_id")).order_by("name")
            if self.obj.tender.opened_at
            else ServiceInstitution.objects.none()
        )


class PanelDrawForm(forms.Form):
    """How many experts to draw at random for a tender's panel, and from which of them."""

    size = forms.IntegerField(
        label=_("number of experts"),
        min_value=3,
        max_value=9,
        initial=5,
        help_text=_("From 3 to 9."),
    )
    specialties = forms.CharField(
        label=_("specialty contains"),
        max_length=100,
        required=False,
        help_text=_("Only experts whose specialties contain this text, e.g. 卓越绩效. Empty: any."),
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("industries"),
        queryset=Industry.objects.filter(level=IndustryLevel.DIVISION),
        required=False,
        help_text=_("Only experts of at least one of these industries. None selected: any."),
    )
