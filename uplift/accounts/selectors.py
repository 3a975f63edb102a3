"""Reads about the signed-in user: the records they act for, shown on their home page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .access import principal_of


def own_records(user: Any) -> list[tuple[Any, QuerySet]]:
    """(title, records) for each kind of record the user acts for: their enterprise, institution,
    the pilots it delivers, their expert record. Read through ``visible_to``, like every page."""
    from uplift.programmes.models import PilotProject
    from uplift.registry.models import Enterprise, Expert, ServiceInstitution

    p = principal_of(user)
    groups: list[tuple[Any, QuerySet]] = []
    if p.enterprise_ids:
        groups.append(
            (
                _("My enterprise"),
                Enterprise.objects.visible_to(user).filter(pk__in=p.enterprise_ids).select_related("region"),
            )
        )
    if p.institution_ids:
        groups.append(
            (
                _("My institution"),
                ServiceInstitution.objects.visible_to(user).filter(pk__in=p.institution_ids),
            )
        )
        groups.append(
            (
                _("Pilot projects we deliver"),
                PilotProject.objects.visible_to(user)
                .filter(institution_id__in=p.institution_ids)
                .select_related("programme", "cluster"),
            )
        )
    if p.expert_ids:
        groups.append((_("My expert record"), Expert.objects.visible_to(user).filter(pk__in=p.expert_ids)))
    return [(title, records) for title, records in groups if records.exists()]
