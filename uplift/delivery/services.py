"""Every write of delivery: service projects and acceptance grades."""

from __future__ import annotations

from typing import Any

from uplift.core.services import create_object, update_object

from .models import GradeRecord, ServiceProject


def project_create(*, actor: Any, **data: Any) -> ServiceProject:
    return create_object(ServiceProject, actor=actor, data=data)


def project_update(*, actor: Any, instance: ServiceProject, **data: Any) -> ServiceProject:
    return update_object(instance, actor=actor, data=data)


def grade_record_create(*, actor: Any, **data: Any) -> GradeRecord:
    return create_object(GradeRecord, actor=actor, data=data)


def grade_record_update(*, actor: Any, instance: GradeRecord, **data: Any) -> GradeRecord:
    return update_object(instance, actor=actor, data=data)
