"""Every write of economic indicators: the bureau records them (statistics, annual reports)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import officer_create, officer_update

from .models import EconomicIndicator


@audit.refusals_recorded("indicators.economicindicator.create")
@transaction.atomic
def indicator_create(*, actor: Any, **data: Any) -> EconomicIndicator:
    """Record one yearly figure of an enterprise, a cluster or a region."""
    return officer_create(
        EconomicIndicator,
        actor=actor,
        data=data,
        message=_("Only a bureau officer records economic indicators."),
    )


@audit.refusals_recorded("indicators.economicindicator.update")
@transaction.atomic
def indicator_update(*, actor: Any, instance: EconomicIndicator, **data: Any) -> EconomicIndicator:
    """Correct a recorded figure."""
    return officer_update(
        instance, actor=actor, data=data, message=_("Only a bureau officer records economic indicators.")
    )
