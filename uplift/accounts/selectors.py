"""Reads about users: the records a user acts for (home page), and whether sign-in is locked."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
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


#: Failed sign-ins that lock an account, or an address, and for how long (MLPS 2.0 level 3).
LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15


def locked_until(username: str, address: str | None) -> datetime.datetime | None:
    """When sign-in opens again for this account or this address, if either is locked now.

    Locked: ``LOCKOUT_FAILURES`` failures within the last ``LOCKOUT_MINUTES`` minutes, counting
    only failures since the last success (for an account) — the lock then lasts until the oldest
    of those failures is ``LOCKOUT_MINUTES`` old.
    """
    from .models import SignInAttempt

    now = timezone.now()
    window = now - datetime.timedelta(minutes=LOCKOUT_MINUTES)
    candidates = []
    scopes = [("username", username)] + ([("address", address)] if address else [])
    for column, value in scopes:
        recent = SignInAttempt.objects.filter(**{column: value}, at__gte=window)
        last_success = recent.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
        failures = recent.filter(succeeded=False)
        if last_success is not None:
            failures = failures.filter(at__gt=last_success)
        times = list(failures.order_by("-at").values_list("at", flat=True)[:LOCKOUT_FAILURES])
        if len(times) >= LOCKOUT_FAILURES:
            candidates.append(times[-1] + datetime.timedelta(minutes=LOCKOUT_MINUTES))
    return max(candidates) if candidates else None


def sign_in_pending_user(pk: Any) -> Any:
    """The active user half-way through signing in (password given, second factor awaited).

    Read without a scope: nobody is signed in yet, and the key comes from the server's session.
    """
    from .models import User

    return User.objects.filter(pk=pk, is_active=True).first() if pk else None
