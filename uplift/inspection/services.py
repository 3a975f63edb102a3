"""Every write of sampling inspections: recorded by the bureau (spot checks are its own), audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import officer_create, officer_update

from .models import SamplingInspection


@audit.refusals_recorded("inspection.samplinginspection.create")
@transaction.atomic
def inspection_create(*, actor: Any, **data: Any) -> SamplingInspection:
    """Record one sampled batch and its result, for an enterprise in the officer's region."""
    return officer_create(
        SamplingInspection,
        actor=actor,
        data=data,
        message=_("Only a bureau officer records sampling inspections."),
    )


@audit.refusals_recorded("inspection.samplinginspection.update")
@transaction.atomic
def inspection_update(*, actor: Any, instance: SamplingInspection, **data: Any) -> SamplingInspection:
    """Correct a recorded inspection (a typing error in the report's transcription)."""
    return officer_update(
        instance, actor=actor, data=data, message=_("Only a bureau officer records sampling inspections.")
    )
