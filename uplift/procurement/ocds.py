"""The published tenders as an Open Contracting Data Standard (OCDS) 1.1 release package.

Each published tender is one contracting process, ``ocid = <OCDS_OCID_PREFIX>-<reference>``, told
by releases that each say what was known at one moment and never change afterwards, so a release
id always names the same content:

========================  ====================================  ====================================
release (tag)             date                                  adds
========================  ====================================  ====================================
tender                    publication                           the notice: lots, criteria, periods
tenderUpdate              opening                               bids (prices, validity), tenderers
award / tenderUpdate      award decision                        awards (pending: standstill)
awardUpdate               end of the standstill period          awards become active
tenderCancellation        cancellation (cancelled_at)           status cancelled, the reason
contract                  signing day                           one per contract
implementation            latest change to milestones/payments  milestones, payment transactions
========================  ====================================  ====================================

Sealed content is never published: bids appear only in releases dated at or after the opening,
read without their ciphertext (:func:`uplift.procurement.selectors.opened_bids`). The mapping is
documented field by field in docs/ocds.md; tests/procurement/test_ocds.py validates the output
against the OCDS 1.1.5 schema and the extensions declared below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import selectors
from .choices import BidStatus, ContractStatus, CriterionKind, LotStatus, PriceFormula, TenderStatus
from .models import Bid, Lot, Tender

OCDS_VERSION = "1.1"
CURRENCY = "CNY"

#: The extensions used, by the URL of their extension.json (fetched by OCDS tools, never by us).
#: Lots and bids are pinned to their release for OCDS 1.1.5; the award criteria breakdown has no
#: release, so its main branch is the version the extension registry lists.
EXTENSIONS = {
    "lots": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "bids": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "awardCriteria": (
        "https://raw.githubusercontent.com/open-contracting-extensions/"
        "ocds_awardCriteriaBreakdown_extension/master/extension.json"
    ),
}

#: Institutions are identified by their unified social credit code (统一社会信用代码, GB 32100-2015)
#: under org-id.guide's scheme for it, "CN-USCI" (Unified Social Credit Identifier). Not "CN-SAIC":
#: that is the business registration of the former State Administration for Industry and Commerce,
#: which registers companies only, while many service institutions are public institutions (事业单位,
#: codes starting "12") registered elsewhere; the credit code covers them all. "CN-USCC" is not a
#: scheme of the register.
IDENTIFIER_SCHEME = "CN-USCI"

_TENDER_STATUS = {
    TenderStatus.PUBLISHED: "active",
    TenderStatus.CLOSED: "active",
    TenderStatus.EVALUATING: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CANCELLED: "cancelled",
    TenderStatus.UNSUCCESSFUL: "unsuccessful",
}
_MILESTONE_STATUS = {
    "scheduled": "scheduled",
    "met": "met",
    "partially_met": "partiallyMet",
    "not_met": "notMet",
}

# The stages of a contracting process, in the order their releases are listed.
TENDER, OPENING, AWARD, STANDSTILL, CANCELLATION, CONTRACT, IMPLEMENTATION = range(7)


def ocid_prefix() -> str:
    return getattr(settings, "OCDS_OCID_PREFIX", "ocds-uplift00")


def ocid(tender: Tender) -> str:
    return f"{ocid_prefix()}-{tender.reference}"


# --- Values ------------------------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    """A JSON number for a decimal (amounts have at most 14 digits, exact as a float)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Decimal) -> str:
    """A decimal as text without trailing zeros: 30, 2.5."""
    return format(value.normalize(), "f")


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": _number(amount), "currency": CURRENCY}


def _dt(value: datetime.datetime) -> str:
    """An RFC 3339 date-time in the configured time zone, e.g. 2018-03-01T09:00:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(value: datetime.date, *, end: bool = False) -> str:
    """A date as the OCDS date-time of its first (or last) second, in the configured time zone."""
    moment = datetime.datetime.combine(value, datetime.time(23, 59, 59) if end else datetime.time.min)
    return _dt(timezone.make_aware(moment))


def _stamp(value: datetime.datetime) -> str:
    """The compact UTC form of a moment used in release ids: 20180301T010000Z."""
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _language() -> str:
    """The BCP 47 tag of the active language: zh-Hans, zh-Hant, en."""
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE).replace("_", "-")


# --- Parties -----------------------------------------------------------------------------------


class _Parties:
    """The organisations of one release and their roles; hands out references to them."""

    def __init__(self) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}

    def add(self, party: dict[str, Any], *roles: str) -> dict[str, str]:
        entry = self._by_id.setdefault(party["id"], {**party, "roles": []})
        entry["roles"].extend(r for r in roles if r not in entry["roles"])
        return {"id": party["id"], "name": party["name"]}

    def as_list(self) -> list[dict[str, Any]]:
        return list(self._by_id.values())


def _institution(inst: Any) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": f"{IDENTIFIER_SCHEME}-{inst.credit_code}",
        "name": inst.name,
        "identifier": {"scheme": IDENTIFIER_SCHEME, "id": inst.credit_code, "legalName": inst.name},
    }
    address = {"streetAddress": inst.address, "region": inst.region.name if inst.region_id else ""}
    if address := {k: v for k, v in address.items() if v}:
        party["address"] = address
    return party


# --- One contracting process -------------------------------------------------------------------


class _Process:
    """The releases of one tender, built from the rows :func:`selectors.ocds_source` read."""

    def __init__(self, tender: Tender, source: selectors.OcdsSource, *, now: datetime.datetime) -> None:
        self.tender = tender
        self.ocid = ocid(tender)
        self.lots: list[Lot] = source.lots.get(tender.pk, [])
        self.criteria = source.criteria.get(tender.pk, [])
        self.bids = {lot.pk: source.bids.get(lot.pk, []) for lot in self.lots}
        self.source = source
        self.now = now
        region = tender.programme.region
        self.buyer = {
            "id": f"bureau-{region.code}",
            "name": source.buyers.get(region.code) or f"{region.name}市场监督管理局",
            "address": {"region": region.name},
        }

    # Building blocks ----------------------------------------------------------------------------

    def _release(self, stage: int, kind: str, date: datetime.datetime, tag: list[str]) -> dict[str, Any]:
        return {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{kind}-{_stamp(date)}",
            "date": _dt(date),
            "tag": tag,
            "initiationType": "tender",
            "language": _language(),
            "_order": (stage, date),  # for ordering only; removed before output
        }

    def _finish(self, release: dict[str, Any], parties: _Parties, buyer: dict[str, str]) -> dict[str, Any]:
        release["parties"] = parties.as_list()
        release["buyer"] = buyer
        return release

    def _award_id(self, lot: Lot) -> str:
        return f"{self.tender.reference}-{lot.number}"

    @staticmethod
    def _bid_id(bid: Bid, lot: Lot) -> str:
        return f"{lot.number}-{bid.institution.credit_code}"

    def _criteria_details(self) -> str:
        t = self.tender
        price = next((c for c in self.criteria if c.kind == CriterionKind.PRICE), None)
        parts = [
            _("Weighted criteria, %(total)s points in all: %(criteria)s.")
            % {
                "total": _text(sum((c.weight for c in self.criteria), Decimal(0))),
                "criteria": "; ".join(f"{c.name} {_text(c.weight)}" for c in self.criteria),
            }
        ]
        if price is not None:
            formula = str(t.get_price_formula_display())
            if t.price_formula == PriceFormula.DEDUCTION:
                formula += " " + _("(%(points)s points per percent)") % {"points": _text(t.price_deduction)}
            parts.append(_("Price score: %(formula)s.") % {"formula": formula})
        if t.drop_extremes:
            parts.append(
                _("With five or more experts, each criterion's highest and lowest score are left out.")
            )
        if t.bonus_points:
            parts.append(
                _(
                    "A bidder whose latest acceptance grade within %(years)s years is Excellent gets "
                    "%(points)s bonus points."
                )
                % {"years": t.bonus_years, "points": _text(t.bonus_points)}
            )
        return " ".join(parts)

    def _award_criteria(self) -> dict[str, Any]:
        return {
            "criteria": [
                {
                    "type": "price" if c.kind == CriterionKind.PRICE else "quality",
                    "name": c.name,
                    "numbers": [{"number": _number(c.weight), "weight": "pointsExact"}],
                }
                for c in self.criteria
            ]
        }

    def _lot_status(self, lot: Lot, stage: int) -> str:
        if stage == TENDER:
            return "active"
        if stage == OPENING:
            return "active" if self._valid_at_opening(lot) else "unsuccessful"
        if lot.status == LotStatus.AWARDED:
            return "complete"
        if lot.status == LotStatus.UNSUCCESSFUL:
            return "unsuccessful"
        return "cancelled" if stage == CANCELLATION else "active"

    def _valid_at_opening(self, lot: Lot) -> bool:
        return any(b.commitment_ok for b in self.bids[lot.pk])

    def _tender(self, stage: int, parties: _Parties, buyer: dict[str, str]) -> dict[str, Any]:
        """The tender section as it stood at ``stage``."""
        t = self.tender
        if stage == TENDER:
            status = "active"
        elif stage == OPENING:
            status = "active" if any(self._valid_at_opening(lot) for lot in self.lots) else "unsuccessful"
        else:
            status = _TENDER_STATUS[TenderStatus(t.status)]
        section: dict[str, Any] = {
            "id": t.reference,
            "title": t.title,
            "description": t.description,
            "status": status,
            "procuringEntity": buyer,
            "value": _value(sum((lot.budget_ceiling for lot in self.lots), Decimal(0))),
            "procurementMethod": "open",
            "procurementMethodDetails": _("Public tender"),
            "mainProcurementCategory": "services",
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": self._criteria_details(),
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": {"startDate": _dt(t.published_at), "endDate": _dt(t.bid_deadline)},
            "enquiryPeriod": {"startDate": _dt(t.published_at), "endDate": _dt(t.clarification_deadline)},
            "awardPeriod": {"startDate": _dt(t.opening_at)},
            "lots": [
                {
                    "id": str(lot.number),
                    "title": lot.title,
                    "description": _("Service of the %(cluster)s pilot project.")
                    % {"cluster": lot.pilot.cluster},
                    "status": self._lot_status(lot, stage),
                    "value": _value(lot.budget_ceiling),
                    "awardCriteria": self._award_criteria(),
                }
                for lot in self.lots
            ],
        }
        if not t.description:
            del section["description"]
        if stage >= AWARD and t.awarded_at is not None:
            section["awardPeriod"]["endDate"] = _dt(t.awarded_at)
        if stage != TENDER and not t.is_sealed:
            # Answers are given only while the tender is published or closed, so by the opening
            # the questions are settled.
            section["hasEnquiries"] = bool(getattr(t, "answered", 0))
            tenderers = {}
            for lot in self.lots:
                for bid in self.bids[lot.pk]:
                    tenderers[bid.institution_id] = parties.add(_institution(bid.institution), "tenderer")
            section["numberOfTenderers"] = len(tenderers)
            section["tenderers"] = list(tenderers.values())
        if stage == CANCELLATION:
            section["documents"] = [
                {
                    "id": "cancellation",
                    "documentType": "cancellationDetails",
                    "title": capfirst(str(Tender._meta.get_field("closing_reason").verbose_name)),
                    "description": t.closing_reason,
                }
            ]
        return section

    def _bids(self, stage: int, parties: _Parties) -> dict[str, Any]:
        """The bids section: what was read out at the opening, with the validity as of ``stage``."""
        statistics: list[dict[str, Any]] = []
        details: list[dict[str, Any]] = []
        for lot in self.lots:
            bids = self.bids[lot.pk]
            valid = []
            for bid in bids:
                ok = bid.commitment_ok if stage == OPENING else bid.status == BidStatus.OPENED
                if ok:
                    valid.append(bid)
                detail: dict[str, Any] = {
                    "id": self._bid_id(bid, lot),
                    "date": _dt(bid.submitted_at),
                    "status": "valid" if ok else "disqualified",
                    "tenderers": [parties.add(_institution(bid.institution), "tenderer")],
                    "relatedLots": [str(lot.number)],
                }
                # The price exists only once opened; a bid whose seal was broken has none.
                if bid.price is not None and not self.tender.is_sealed:
                    detail["value"] = _value(bid.price)
                details.append(detail)
            lot_id = str(lot.number)
            statistics += [
                {"id": f"{lot_id}-bids", "measure": "bids", "value": len(bids), "relatedLot": lot_id},
                {
                    "id": f"{lot_id}-validBids",
                    "measure": "validBids",
                    "value": len(valid),
                    "relatedLot": lot_id,
                },
            ]
            prices = [b.price for b in valid if b.price is not None]
            if prices:
                for measure, price in (
                    ("lowestValidBidValue", min(prices)),
                    ("highestValidBidValue", max(prices)),
                ):
                    statistics.append(
                        {
                            "id": f"{lot_id}-{measure}",
                            "measure": measure,
                            "value": _number(price),
                            "currency": CURRENCY,
                            "relatedLot": lot_id,
                        }
                    )
        return {"statistics": statistics, "details": details}

    def _award(self, lot: Lot, parties: _Parties, *, active: bool) -> dict[str, Any]:
        award = lot.award
        supplier = parties.add(_institution(award.bid.institution), "supplier")
        return {
            "id": self._award_id(lot),
            "title": lot.title,
            "description": _("Standstill period until %(date)s.")
            % {"date": timezone.localtime(award.standstill_ends).strftime("%Y-%m-%d %H:%M")},
            # Pending during the standstill period, when bidders may still challenge the decision.
            "status": "active" if active else "pending",
            "date": _dt(award.decided_at),
            "value": _value(award.amount),
            "suppliers": [supplier],
            "relatedLots": [str(lot.number)],
            "relatedBid": self._bid_id(award.bid, lot),
        }

    def _awarded_lots(self) -> list[Lot]:
        return [lot for lot in self.lots if hasattr(lot, "award")]

    # The releases --------------------------------------------------------------------------------

    def _tender_stage(self, stage: int, kind: str, date: datetime.datetime, tag: list[str]) -> dict[str, Any]:
        parties = _Parties()
        buyer = parties.add(self.buyer, "buyer", "procuringEntity")
        release = self._release(stage, kind, date, tag)
        release["tender"] = self._tender(stage, parties, buyer)
        if stage != TENDER and not self.tender.is_sealed:
            release["bids"] = self._bids(stage, parties)
        if stage == AWARD:
            release["awards"] = [self._award(lot, parties, active=False) for lot in self._awarded_lots()]
        return self._finish(release, parties, buyer)

    def releases(self) -> list[dict[str, Any]]:
        t = self.tender
        out = [self._tender_stage(TENDER, "tender", t.published_at, ["tender"])]
        if t.opened_at is not None:
            out.append(self._tender_stage(OPENING, "opening", t.opened_at, ["tenderUpdate"]))
        if t.awarded_at is not None:
            tag = ["award"] if self._awarded_lots() else ["tenderUpdate"]
            out.append(self._tender_stage(AWARD, "award", t.awarded_at, tag))
        if t.status == TenderStatus.CANCELLED:
            at = t.cancelled_at or t.updated_at
            out.append(self._tender_stage(CANCELLATION, "cancellation", at, ["tenderCancellation"]))
        out += self._standstill_releases()
        for lot in self._awarded_lots():
            if hasattr(lot.award, "contract"):
                out += self._contract_releases(lot)
        return out

    def _standstill_releases(self) -> list[dict[str, Any]]:
        """An awardUpdate when each standstill period has ended (or a contract shows it has)."""
        ends: dict[datetime.datetime, list[Lot]] = {}
        for lot in self._awarded_lots():
            if lot.award.standstill_ends <= self.now or hasattr(lot.award, "contract"):
                ends.setdefault(lot.award.standstill_ends, []).append(lot)
        out = []
        for end, lots in sorted(ends.items()):
            parties = _Parties()
            buyer = parties.add(self.buyer, "buyer")
            release = self._release(STANDSTILL, "standstill", end, ["awardUpdate"])
            release["awards"] = [self._award(lot, parties, active=True) for lot in lots]
            out.append(self._finish(release, parties, buyer))
        return out

    def _contract_releases(self, lot: Lot) -> list[dict[str, Any]]:
        contract = lot.award.contract
        signed = timezone.make_aware(datetime.datetime.combine(contract.signed_on, datetime.time.min))
        parties = _Parties()
        buyer = parties.add(self.buyer, "buyer")
        parties.add(_institution(contract.institution), "supplier")
        release = self._release(CONTRACT, f"contract-{contract.reference}", signed, ["contract"])
        release["contracts"] = [
            {
                "id": contract.reference,
                "awardID": self._award_id(lot),
                "title": lot.title,
                # As signed; later changes of status come with the implementation release.
                "status": "active",
                "period": {
                    "startDate": _day(contract.start_date),
                    "endDate": _day(contract.end_date, end=True),
                },
                "value": _value(contract.amount),
                "dateSigned": _day(contract.signed_on),
            }
        ]
        out = [self._finish(release, parties, buyer)]
        milestones = self.source.milestones.get(contract.pk, [])
        payments = self.source.payments.get(contract.pk, [])
        if not milestones and not payments and contract.status == ContractStatus.SIGNED:
            return out
        # Dated, and so identified, by the latest change: new information makes a new release.
        changed = max(o.updated_at for o in (contract, *milestones, *payments))
        ended = contract.status in (ContractStatus.COMPLETED, ContractStatus.TERMINATED)
        parties = _Parties()
        buyer = parties.add(self.buyer, "buyer", "payer")
        payee = parties.add(_institution(contract.institution), "supplier", "payee")
        release = self._release(
            IMPLEMENTATION,
            f"implementation-{contract.reference}",
            changed,
            ["implementation", "contractTermination"] if ended else ["implementation"],
        )
        release["contracts"] = [
            {
                "id": contract.reference,
                "awardID": self._award_id(lot),
                "status": "terminated" if ended else "active",
                "implementation": {
                    "milestones": [
                        {
                            "id": f"milestone-{m.pk}",
                            "title": m.title,
                            "type": "delivery",
                            "dueDate": _day(m.due_date, end=True),
                            "status": _MILESTONE_STATUS[m.status],
                        }
                        for m in milestones
                    ],
                    "transactions": [
                        {
                            "id": f"payment-{p.pk}",
                            "date": _day(p.paid_on),
                            "value": _value(p.amount),
                            "payer": buyer,
                            "payee": payee,
                        }
                        for p in payments
                    ],
                },
            }
        ]
        out.append(self._finish(release, parties, buyer))
        return out


# --- The package -------------------------------------------------------------------------------


def build_package(
    *,
    programme: str | None = None,
    uri: str | None = None,
    now: datetime.datetime | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The release package of every published tender (of ``programme``, a slug, if given).

    ``publishedDate`` is the date of the latest release, so exporting unchanged data gives the
    same bytes. The package has no releases when nothing was published yet (OCDS then requires
    at least one, so the command refuses to write it).
    """
    now = now or timezone.now()
    with translation.override(language or settings.LANGUAGE_CODE):
        source = selectors.ocds_source(programme=programme)
        releases: list[dict[str, Any]] = []
        for tender in source.tenders:
            releases += _Process(tender, source, now=now).releases()
        releases.sort(key=lambda r: (r["ocid"], r["_order"], r["id"]))
        latest = max((r.pop("_order")[1] for r in releases), default=now)
        buyers = sorted({r["buyer"]["name"] for r in releases})
        return {
            "uri": uri or f"urn:uplift:ocds:{ocid_prefix()}:{programme or 'all'}",
            "version": OCDS_VERSION,
            "extensions": list(EXTENSIONS.values()),
            "publishedDate": _dt(latest),
            "publisher": {"name": buyers[0] if len(buyers) == 1 else "Uplift 品质提升"},
            "releases": releases,
        }
