"""Every write of economic indicators: the bureau records them (statistics, annual reports)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import check_enterprise, create_object, require_officer, update_object

from .models import EconomicIndicator


@audit.refusals_recorded("indicators.economicindicator.create")
@transaction.atomic
def indicator_create(*, actor: Any, **data: Any) -> EconomicIndicator:
    """Record one yearly figure of an enterprise, a cluster or a region."""
    require_officer(actor, _("Only a bureau officer records economic indicators."))
    check_enterprise(actor, data.get("enterprise"))
    return create_object(EconomicIndicator, actor=actor, data=data)


@audit.refusals_recorded("indicators.economicindicator.update")
@transaction.atomic
def indicator_update(*, actor: Any, instance: EconomicIndicator, **data: Any) -> EconomicIndicator:
    """Correct a recorded figure."""
    require_officer(actor, _("Only a bureau officer records economic indicators."))
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != instance.enterprise:
        check_enterprise(actor, enterprise)
    return update_object(instance, actor=actor, data=data)
