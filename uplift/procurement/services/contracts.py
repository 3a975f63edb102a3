"""Contracts (signed after the standstill, creating the service project), milestones, payments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.core.services import create_object, update_object
from uplift.delivery.services import project_create

from ..models import (
    Award,
    Contract,
    Milestone,
    Payment,
)
from ._common import _require_bureau, refused


@refused("procurement.contract.create")
@transaction.atomic
def contract_create(*, actor: Any, award: Award, **data: Any) -> Contract:
    """Sign the contract of an award once its standstill period has ended; creates the service project."""
    _require_bureau(actor, award.lot.tender)
    signed_on = data.get("signed_on")
    if signed_on is not None and signed_on < timezone.localtime(award.standstill_ends).date():
        raise ValidationError(
            {
                "signed_on": _("The standstill period runs until %(date)s; sign after it.")
                % {"date": timezone.localtime(award.standstill_ends).date().isoformat()}
            }
        )
    contract = create_object(
        Contract, actor=actor, data={**data, "award": award, "institution": award.bid.institution}
    )
    project_create(
        actor=actor,
        **{
            "contract": contract,
            "pilot": award.lot.pilot,
            "institution": contract.institution,
            "title": award.lot.title,
            "start_date": contract.start_date,
            "end_date": contract.end_date,
        },
    )
    return contract


def contract_update(*, actor: Any, instance: Contract, **data: Any) -> Contract:
    if "award" in data and data["award"] != instance.award:
        raise ValidationError({"award": _("A contract cannot move to another award.")})
    _require_bureau(actor, instance.award.lot.tender)
    return update_object(instance, actor=actor, data=data)


def _contract_bureau(actor: Any, contract: Contract | None) -> None:
    if contract is not None:
        _require_bureau(actor, contract.award.lot.tender)


def milestone_create(*, actor: Any, **data: Any) -> Milestone:
    _contract_bureau(actor, data.get("contract"))
    return create_object(Milestone, actor=actor, data=data)


def milestone_update(*, actor: Any, instance: Milestone, **data: Any) -> Milestone:
    _contract_bureau(actor, instance.contract)
    return update_object(instance, actor=actor, data=data)


def payment_create(*, actor: Any, **data: Any) -> Payment:
    _contract_bureau(actor, data.get("contract"))
    return create_object(Payment, actor=actor, data=data)


def payment_update(*, actor: Any, instance: Payment, **data: Any) -> Payment:
    _contract_bureau(actor, instance.contract)
    return update_object(instance, actor=actor, data=data)
