"""Filters of procurement's lists, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.accounts.access import in_subtree, region_prefix
from uplift.core.filtersets import BaseFilterSet, IntegerFilter, RegionFilter
from uplift.programmes.filtersets import visible_programmes
from uplift.registry.filtersets import counted_in

from . import selectors
from .choices import BidStatus, ContractStatus, LotStatus, MilestoneStatus, SheetStatus, TenderStatus
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


def _programme_filter(field_name: str = "programme"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=visible_programmes, to_field_name="slug", label=_("Programme")
    )


def _procured_in(selector_name: str):
    """The records a procurement figure counts: ``?procured_in=<programme slug>`` (with the list's
    own ``region`` and ``cluster`` filters, the same slice as the figure)."""

    return counted_in(getattr(selectors, selector_name), _("Procured in programme"))


def _cluster_filter(lookup: str):
    return IntegerFilter(field_name=lookup, label=_("Cluster"))


def _tender_status(field_name: str):
    """The status of the record's tender (``?tender_status=published&tender_status=closed``)."""
    return django_filters.MultipleChoiceFilter(
        field_name=field_name, choices=TenderStatus.choices, label=_("Tender status")
    )


def _tender_filter(field_name: str = "tender"):
    return django_filters.CharFilter(
        field_name=f"{field_name}__reference", label=_("Tender reference"), lookup_expr="iexact"
    )


class TenderFilterSet(BaseFilterSet):
    search_fields = ("reference", "title")
    programme = _programme_filter()
    status = django_filters.MultipleChoiceFilter(choices=TenderStatus.choices, label=_("Status"))
    deadline_from = django_filters.DateFilter(
        field_name="bid_deadline", lookup_expr="date__gte", label=_("Bid deadline from")
    )
    deadline_to = django_filters.DateFilter(
        field_name="bid_deadline", lookup_expr="date__lte", label=_("Bid deadline to")
    )
    deadline_passed = django_filters.BooleanFilter(
        method="filter_deadline_passed", label=_("Bid deadline passed")
    )
    buyer = RegionFilter(field_name="programme__region_id", label=_("Buyer's region code"))
    procured_in = _procured_in("procurement_tenders")
    region = RegionFilter(method="in_region")
    cluster = IntegerFilter(method="for_cluster", label=_("Cluster"))

    def in_region(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        lots = Lot.objects.filter(in_subtree("pilot__cluster__region_id", region_prefix(value)))
        return qs.filter(pk__in=lots.values("tender_id"))

    def for_cluster(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(pk__in=Lot.objects.filter(pilot__cluster_id=value).values("tender_id"))

    def filter_deadline_passed(self, qs, name, value):
        if value is None:
            return qs
        return selectors.deadline_passed(qs) if value else selectors.deadline_ahead(qs)

    class Meta:
        model = Tender
        fields = ["programme", "status"]


class LotFilterSet(BaseFilterSet):
    search_fields = ("title", "tender__reference", "pilot__cluster__name")
    programme = _programme_filter("tender__programme")
    tender = _tender_filter()
    status = django_filters.ChoiceFilter(choices=LotStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="pilot__cluster__region_id")
    cluster = _cluster_filter("pilot__cluster_id")
    procured_in = _procured_in("procurement_lots")

    class Meta:
        model = Lot
        fields = ["programme", "tender", "status", "region"]


class CriterionFilterSet(BaseFilterSet):
    search_fields = ("name", "tender__reference")
    tender = _tender_filter()

    class Meta:
        model = Criterion
        fields = ["tender", "kind"]


class ClarificationFilterSet(BaseFilterSet):
    search_fields = ("question", "answer", "tender__reference")
    tender = _tender_filter()
    answered = django_filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )
    tender_status = _tender_status("tender__status")

    class Meta:
        model = Clarification
        fields = ["tender", "answered"]


class BidFilterSet(BaseFilterSet):
    search_fields = ("institution__name", "lot__tender__reference", "lot__title")
    programme = _programme_filter("lot__tender__programme")
    tender = _tender_filter("lot__tender")
    status = django_filters.ChoiceFilter(choices=BidStatus.choices, label=_("Status"))
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))

    class Meta:
        model = Bid
        fields = ["programme", "tender", "status", "institution"]


class PanelMemberFilterSet(BaseFilterSet):
    search_fields = ("expert__name", "tender__reference")
    tender = _tender_filter()
    expert = IntegerFilter(field_name="expert_id", label=_("Expert"))
    tender_status = _tender_status("tender__status")
    declared = django_filters.BooleanFilter(
        field_name="declared_at", lookup_expr="isnull", exclude=True, label=_("Conflicts declared")
    )

    class Meta:
        model = PanelMember
        fields = ["tender", "expert"]


class ScoreSheetFilterSet(BaseFilterSet):
    search_fields = ("member__expert__name", "lot__tender__reference", "lot__title")
    tender = _tender_filter("lot__tender")
    status = django_filters.ChoiceFilter(choices=SheetStatus.choices, label=_("Status"))
    tender_status = _tender_status("lot__tender__status")

    class Meta:
        model = ScoreSheet
        fields = ["tender", "status"]


class AwardFilterSet(BaseFilterSet):
    search_fields = ("lot__title", "lot__tender__reference", "bid__institution__name")
    programme = _programme_filter("lot__tender__programme")
    tender = _tender_filter("lot__tender")

    class Meta:
        model = Award
        fields = ["programme", "tender"]


class ContractFilterSet(BaseFilterSet):
    search_fields = ("reference", "institution__name", "award__lot__title")
    programme = _programme_filter("award__lot__tender__programme")
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("Status"))
    region = RegionFilter(field_name="award__lot__pilot__cluster__region_id")
    cluster = _cluster_filter("award__lot__pilot__cluster_id")
    procured_in = _procured_in("procurement_contracts")
    institution = IntegerFilter(field_name="institution_id", label=_("Institution"))

    class Meta:
        model = Contract
        fields = ["programme", "status", "institution", "region"]


class MilestoneFilterSet(BaseFilterSet):
    search_fields = ("title", "contract__reference")
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("Status"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due by"))
    due_after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due on or after")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    contract = IntegerFilter(field_name="contract_id", label=_("Contract"))

    class Meta:
        model = Milestone
        fields = ["contract", "status"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = selectors.overdue_milestones(qs)
        return late if value else qs.exclude(pk__in=late.values("pk"))


class PaymentFilterSet(BaseFilterSet):
    search_fields = ("reference", "contract__reference")
    since = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label=_("From"))
    until = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label=_("To"))
    contract = IntegerFilter(field_name="contract_id", label=_("Contract"))

    class Meta:
        model = Payment
        fields = ["contract"]
