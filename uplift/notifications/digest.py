"""The daily digest of overdue work: for each user, what is late in their own scope.

:data:`OVERDUE` is the pluggable list of what can be overdue; each entry names a model (by label,
so an app not installed is skipped), the filter of its late rows on a given day, and the list
page that shows them. A user's share is ``Model.objects.visible_to(user)`` narrowed by that
filter, read only for users with the model's view permission. ``uplift notify digest`` (run
daily by the scheduler, docs/notifications.md) gives every user with something overdue one
notification (and one e-mail) a day: the notification's key ``digest:<day>`` is unique per user,
so running the command twice on a day sends nothing the second time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DIGEST, Notification

#: Items named per section (the rest are counted, and the section links to the full list).
SHOWN = 5


def approval_days() -> int:
    """Days an activity may wait for the bureau's approval before it is overdue."""
    return int(getattr(settings, "UPLIFT_APPROVAL_OVERDUE_DAYS", 7))


@dataclass(frozen=True)
class Overdue:
    """Something that can be late: ``late(day)`` filters the rows of ``model`` late on ``day``."""

    name: str
    label: Any
    model: str
    late: Callable[[datetime.date], Q]
    #: the list page showing them: (url name, query string; ``{day}`` stands for the day judged)
    list_page: tuple[str, str]
    order_by: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    #: the values of the label's placeholders, read when it is shown
    label_args: Callable[[], dict[str, Any]] | None = None

    def title(self) -> str:
        return str(self.label) % self.label_args() if self.label_args else str(self.label)

    def model_class(self) -> Any:
        try:
            return apps.get_model(self.model)
        except LookupError:
            return None

    def list_url(self, day: datetime.date | None = None) -> str:
        name, query = self.list_page
        if day is not None:
            query = query.format(day=day.isoformat())
        try:
            return reverse(name) + (f"?{query}" if query else "")
        except NoReverseMatch:
            return ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _requests_late(day: datetime.date) -> Q:
    """Service requests still open that, when ``day`` began, were past their response time
    unaccepted or past their answer time unanswered: what ``?overdue_on=<day>`` lists."""
    from uplift.servicedesk.selectors import overdue_q

    return overdue_q(_day_start(day))


OVERDUE: list[Overdue] = [
    Overdue(
        "problems",
        _("Quality problems past their correction deadline"),
        "delivery.Problem",
        lambda day: ~Q(status="closed") & Q(deadline__lt=day),
        ("delivery:problem_list", "overdue=true"),
        order_by=("deadline", "pk"),
        select_related=("enterprise",),
    ),
    Overdue(
        "milestones",
        _("Contract milestones past their due date"),
        "procurement.Milestone",
        lambda day: Q(status="scheduled", due_date__lt=day),
        ("procurement:milestone_list", "status=scheduled"),
        order_by=("due_date", "pk"),
    ),
    Overdue(
        "activities",
        _("Activities waiting for approval for more than %(days)s days"),
        "delivery.Activity",
        lambda day: Q(
            status="submitted",
            submitted_at__lt=_day_start(day - datetime.timedelta(days=approval_days() - 1)),
        ),
        ("delivery:activity_list", "status=submitted"),
        order_by=("submitted_at", "pk"),
        label_args=lambda: {"days": approval_days()},
    ),
    Overdue(
        "requests",
        _("Service requests waiting past their response or answer time"),
        "servicedesk.ServiceRequest",
        _requests_late,
        ("servicedesk:servicerequest_list", "overdue_on={day}"),
        order_by=("answer_due_at", "pk"),
        select_related=("enterprise",),
    ),
]

BY_NAME = {o.name: o for o in OVERDUE}


@dataclass
class Digest:
    """One user's overdue work on one day: ``sections`` of ``{name, count, items: [{title, url}]}``."""

    user: Any
    day: datetime.date
    sections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s["count"] for s in self.sections)


def digest_of(user: Any, day: datetime.date) -> Digest:
    """What is overdue on ``day`` among what ``user`` may see."""
    digest = Digest(user=user, day=day)
    for source in OVERDUE:
        model = source.model_class()
        if model is None:
            continue
        meta = model._meta
        if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        late = model.objects.visible_to(user).filter(source.late(day))
        count = late.count()
        if not count:
            continue
        rows = late.select_related(*source.select_related).order_by(*source.order_by)[:SHOWN]
        digest.sections.append(
            {
                "name": source.name,
                "count": count,
                "url": source.list_url(day),
                "items": [{"title": str(r)[:120], "url": r.get_absolute_url()} for r in rows],
            }
        )
    return digest


def candidates() -> Any:
    """The users who may have overdue work: active, with an active role."""
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    return User.objects.filter(
        is_active=True, pk__in=Membership.objects.filter(is_active=True).values("user_id")
    ).order_by("pk")


def digest_key(day: datetime.date) -> str:
    return f"digest:{day.isoformat()}"


def digests(day: datetime.date) -> Iterator[Digest]:
    """Every user's digest of ``day`` not sent yet, with something in it."""
    done = set(
        Notification.objects.filter(kind=DIGEST, key=digest_key(day)).values_list("recipient_id", flat=True)
    )
    for user in candidates().exclude(pk__in=done).iterator(chunk_size=500):
        digest = digest_of(user, day)
        if digest.sections:
            yield digest


def digest_send(digest: Digest) -> Notification | None:
    """The digest's notification (its e-mail queued), or None if the user already has that day's."""
    from .services import notifications_create

    try:
        with transaction.atomic():
            (notification,) = notifications_create(
                recipients=[(digest.user.pk, digest.user.email)],
                kind=DIGEST,
                title=digest.day.isoformat(),
                data={"day": digest.day.isoformat(), "sections": digest.sections},
                key=digest_key(digest.day),
            )
    except IntegrityError:
        return None  # sent by a run at the same time
    return notification


def sections_of(notification: Notification) -> list[dict[str, Any]]:
    """A digest's sections with their labels, in the reader's language."""
    out = []
    for section in (notification.data or {}).get("sections", []):
        source = BY_NAME.get(section.get("name"))
        out.append({**section, "label": source.title() if source else section.get("name", "")})
    return out
