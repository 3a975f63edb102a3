import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable, MoneyColumn, NumberColumn

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


class TenderTable(BaseTable):
    reference = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Tender
        fields = ("reference", "title", "programme", "status", "bid_deadline", "opening_at")


class LotTable(BaseTable):
    title = tables.Column(linkify=True)
    budget_ceiling = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Lot
        fields = ("tender", "number", "title", "pilot", "budget_ceiling", "status")


class CriterionTable(BaseTable):
    name = tables.Column(linkify=True)
    weight = NumberColumn()

    class Meta(BaseTable.Meta):
        model = Criterion
        fields = ("tender", "position", "name", "kind", "weight")


class ClarificationTable(BaseTable):
    question = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Clarification
        fields = ("tender", "question", "answered_at")


class BidTable(BaseTable):
    """Bids as their readers may see them: a sealed bid's price column stays empty."""

    institution = tables.Column(linkify=lambda record: record.get_absolute_url())
    price = MoneyColumn()
    total = NumberColumn()

    class Meta(BaseTable.Meta):
        model = Bid
        fields = ("lot", "institution", "status", "submitted_at", "price", "total", "rank")


class PanelMemberTable(BaseTable):
    expert = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = PanelMember
        fields = ("tender", "expert", "is_chair", "declared_at")


class ScoreSheetTable(BaseTable):
    lot = tables.Column(linkify=lambda record: record.get_absolute_url())
    expert = tables.Column(
        accessor="member__expert", verbose_name=_("expert"), order_by="member__expert__name"
    )

    class Meta(BaseTable.Meta):
        model = ScoreSheet
        fields = ("lot", "expert", "status", "submitted_at")


class AwardTable(BaseTable):
    lot = tables.Column(linkify=lambda record: record.get_absolute_url())
    winner = tables.Column(
        accessor="bid__institution", verbose_name=_("winner"), order_by="bid__institution__name"
    )
    amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Award
        fields = ("lot", "winner", "amount", "decided_at", "standstill_ends")


class ContractTable(BaseTable):
    reference = tables.Column(linkify=True)
    amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Contract
        fields = ("reference", "institution", "amount", "signed_on", "start_date", "end_date", "status")


class MilestoneTable(BaseTable):
    title = tables.Column(linkify=True)
    amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Milestone
        fields = ("contract", "title", "due_date", "amount", "status")


class PaymentTable(BaseTable):
    paid_on = tables.Column(linkify=True)
    amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Payment
        fields = ("contract", "paid_on", "amount", "milestone", "reference")
