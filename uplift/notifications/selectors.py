"""Who receives a notification: set-based selectors of users, built as ``Q`` filters on the user
table so that a hand-over's recipients are one query however many organisations they span.

Each selector takes an id, a list of ids or a subquery of ids (``Bid.objects.filter(...)
.values("institution_id")``) and returns a ``Q`` over users; combine them with ``|`` and read them
with :func:`recipients`. They follow the memberships of ``accounts`` (active ones only), the same
facts :func:`uplift.accounts.access.principal_of` derives a user's scope from.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from uplift.accounts.choices import Role

NOBODY = Q(pk__in=[])


def _ids(value: Any) -> Any:
    """``value`` as something ``__in`` takes: a subquery as it is, an id as a one-item list."""
    if value is None:
        return []
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return value
    return [value]


def _members(role: str, **lookup: Any) -> Q:
    Membership = apps.get_model("accounts", "Membership")
    return Q(pk__in=Membership.objects.filter(role=role, is_active=True, **lookup).values("user_id"))


def institution_staff(institutions: Any) -> Q:
    """The staff of the service institution(s)."""
    ids = _ids(institutions)
    return NOBODY if ids == [] else _members(Role.INSTITUTION_STAFF, organisation__institution_id__in=ids)


def enterprise_users(enterprises: Any) -> Q:
    """The users of the enterprise(s)."""
    ids = _ids(enterprises)
    return NOBODY if ids == [] else _members(Role.ENTERPRISE_USER, organisation__enterprise_id__in=ids)


def covering_regions(code: str) -> list[str]:
    """The region codes whose subtree holds ``code``: its province, its prefecture and itself.

    A bureau at region R sees the codes starting with R's prefix (``access.region_prefix``), so
    the bureaus over ``429004`` are at ``420000``, ``429000`` and ``429004``.
    """
    code = str(code)
    return sorted({code[:2] + "0000", code[:4] + "00", code})


def officers_over(region_code: str | None) -> Q:
    """The officers of every bureau whose region covers ``region_code`` (the county's, the
    prefecture's and the province's): those who see the record and act on it."""
    if not region_code:
        return NOBODY
    return _members(Role.OFFICER, organisation__region_id__in=covering_regions(region_code))


def experts(expert_ids: Any) -> Q:
    """The accounts of the registry expert(s)."""
    ids = _ids(expert_ids)
    if ids == []:
        return NOBODY
    Expert = apps.get_model("registry", "Expert")
    return Q(pk__in=Expert.objects.filter(pk__in=ids, user__isnull=False).values("user_id"))


def request_answerers(requests: Any) -> Q:
    """The people who answer for the service request(s)' assignee: the staff of the assigned
    institution, the staff of the institution operating the assigned station, the assigned
    expert's account (``servicedesk.services.is_assignee``). Unrouted requests have none."""
    ids = _ids(requests)
    if ids == []:
        return NOBODY
    ServiceRequest = apps.get_model("servicedesk", "ServiceRequest")
    rows = ServiceRequest.objects.filter(pk__in=ids)
    return (
        institution_staff(rows.values("institution_id"))
        | institution_staff(rows.values("station__operator_id"))
        | experts(rows.values("expert_id"))
    )


def user(user_id: int | None) -> Q:
    """One user (the person who entered a record), if known."""
    return Q(pk=user_id) if user_id else NOBODY


def recipients(who: Q, *, actor_id: int | None = None) -> QuerySet:
    """The active users ``who`` selects, never the actor themselves, as ``(id, email)`` rows."""
    User = apps.get_model("accounts", "User")
    qs = User.objects.filter(who, is_active=True)
    if actor_id is not None:
        qs = qs.exclude(pk=actor_id)
    return qs.order_by("pk").values_list("pk", "email")


def unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread: one count on the inbox index."""
    Notification = apps.get_model("notifications", "Notification")
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
