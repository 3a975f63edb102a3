"""Every write of sampling inspections: recorded by the bureau (spot checks are its own), audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import check_enterprise, create_object, require_officer, update_object

from .models import SamplingInspection


@audit.refusals_recorded("inspection.samplinginspection.create")
@transaction.atomic
def inspection_create(*, actor: Any, **data: Any) -> SamplingInspection:
    """Record one sampled batch and its result, for an enterprise in the officer's region."""
    require_officer(actor, _("Only a bureau officer records sampling inspections."))
    check_enterprise(actor, data.get("enterprise"))
    return create_object(SamplingInspection, actor=actor, data=data)


@audit.refusals_recorded("inspection.samplinginspection.update")
@transaction.atomic
def inspection_update(*, actor: Any, instance: SamplingInspection, **data: Any) -> SamplingInspection:
    """Correct a recorded inspection (a typing error in the report's transcription)."""
    require_officer(actor, _("Only a bureau officer records sampling inspections."))
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != instance.enterprise:
        check_enterprise(actor, enterprise)
    return update_object(instance, actor=actor, data=data)
