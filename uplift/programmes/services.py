"""Every write to programmes, targets and pilot projects."""

from __future__ import annotations

from typing import Any

from uplift.core.services import create_object, update_object

from .models import PilotProject, Programme, Target


def programme_create(*, actor: Any, **data: Any) -> Programme:
    return create_object(Programme, actor=actor, data=data)


def programme_update(*, actor: Any, instance: Programme, **data: Any) -> Programme:
    return update_object(instance, actor=actor, data=data)


def target_create(*, actor: Any, **data: Any) -> Target:
    return create_object(Target, actor=actor, data=data)


def target_update(*, actor: Any, instance: Target, **data: Any) -> Target:
    return update_object(instance, actor=actor, data=data)


def pilot_create(*, actor: Any, **data: Any) -> PilotProject:
    return create_object(PilotProject, actor=actor, data=data)


def pilot_update(*, actor: Any, instance: PilotProject, **data: Any) -> PilotProject:
    return update_object(instance, actor=actor, data=data)
