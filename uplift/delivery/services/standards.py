"""The standards registry, the standard work of projects, and enterprise-standard evaluation reports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.core.services import create_object, update_object

from ..choices import StandardStatus
from ..models import EvaluationReport, Standard, StandardWork
from ._common import check_enterprise, keep_place, placed, refused

#: A standard moves forward only: drafting → consultation → approved → published → withdrawn.
ORDER = [s.value for s in StandardStatus]


@refused("delivery.standard.create")
@transaction.atomic
def standard_create(*, actor: Any, **data: Any) -> Standard:
    """Register a standard (its number is checked against its level's numbering)."""
    return create_object(Standard, actor=actor, data=data)


@refused("delivery.standard.update")
@transaction.atomic
def standard_update(*, actor: Any, instance: Standard, **data: Any) -> Standard:
    """Change a standard; its status only moves forward (a withdrawn standard is final)."""
    new = data.get("status", instance.status)
    if ORDER.index(new) < ORDER.index(instance.status):
        raise ValidationError(
            {
                "status": _("A standard that is %(old)s cannot go back to %(new)s.")
                % {"old": instance.get_status_display(), "new": StandardStatus(new).label}
            }
        )
    return update_object(instance, actor=actor, data=data)


def _work_region(data: dict[str, Any]) -> dict[str, Any]:
    """Standard work is placed at its cluster (the project's), or the programme's region."""
    if not data.get("region"):
        cluster = data.get("cluster") or (data["standard"].cluster if data.get("standard") else None)
        programme = data.get("programme")
        data["region"] = cluster.region if cluster else (programme.region if programme else None)
    return data


@refused("delivery.standardwork.create")
@transaction.atomic
def standard_work_create(*, actor: Any, **data: Any) -> StandardWork:
    """Record that a project (or the bureau) drafts or revises a standard."""
    return create_object(StandardWork, actor=actor, data=_work_region(placed(actor, data)))


@refused("delivery.standardwork.update")
@transaction.atomic
def standard_work_update(*, actor: Any, instance: StandardWork, **data: Any) -> StandardWork:
    return update_object(instance, actor=actor, data=keep_place(instance, data))


@refused("delivery.evaluationreport.create")
@transaction.atomic
def evaluation_report_create(*, actor: Any, **data: Any) -> EvaluationReport:
    """Record an enterprise-standard evaluation report issued to an enterprise."""
    data = placed(actor, data)
    check_enterprise(actor, data.get("enterprise"))
    return create_object(EvaluationReport, actor=actor, data=data)


@refused("delivery.evaluationreport.update")
@transaction.atomic
def evaluation_report_update(*, actor: Any, instance: EvaluationReport, **data: Any) -> EvaluationReport:
    data = keep_place(instance, data)
    enterprise = data.get("enterprise")
    if enterprise is not None and enterprise != instance.enterprise:
        check_enterprise(actor, enterprise)
    return update_object(instance, actor=actor, data=data)
