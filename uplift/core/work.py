"""Work items: what waits for a user (我的待办), declared once per app and read by every page.

Each app declares, in its own ``selectors.py`` where its reads live, the *sources* of work it
knows about — activities submitted for approval, overdue problems, bids to score — with
:func:`work_source`::

    @work_source(
        Activity,
        key="delivery.activities_to_approve",
        label=gettext_lazy("Activities to approve"),
        audience=OFFICERS,
        permission="delivery.change_activity",
        params={"status": ActivityStatus.SUBMITTED},
    )
    def activities_to_approve(qs, user):
        return qs.filter(status=ActivityStatus.SUBMITTED)

The registry hands the function ``Activity.objects.visible_to(user)``, so a count never reads
past the user's scope (the rules of :mod:`uplift.accounts.access`), and the item links to the
model's list page with ``params`` as its filters: the list shows exactly the rows counted (the
tests follow every link and compare). Counting a source is one query.

The home page ("my work"), the ``/work/`` page and ``GET /api/my-work/`` all call
:func:`work_items`. Sources are found by importing every installed app's ``selectors`` module
once (``autodiscover_modules``), so an app adds its work with one declaration and nothing else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.module_loading import autodiscover_modules

from uplift.accounts.access import Principal, principal_of


def perm(model: type[Model], action: str) -> str:
    """``app.action_model``, as :func:`uplift.core.views.perm` (not imported: the apps'
    selectors import this module, and must not pull in the views)."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def url_name(model: type[Model], page: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{page}"


#: Who a source is for: a predicate on the user's principal (what they act for).
Audience = Callable[[Principal], bool]


def OFFICERS(p: Principal) -> bool:  # noqa: N802 - reads as a constant in declarations
    """Programme officers of a bureau (at any region level)."""
    return p.is_officer


def INSTITUTIONS(p: Principal) -> bool:  # noqa: N802
    """Staff of a service institution."""
    return bool(p.institution_ids)


def ENTERPRISES(p: Principal) -> bool:  # noqa: N802
    """Users of an enterprise."""
    return bool(p.enterprise_ids)


def EXPERTS(p: Principal) -> bool:  # noqa: N802
    """Experts with a registry record."""
    return bool(p.expert_ids)


#: How a work item is shown, most pressing first: late, then the user's move, then news.
OVERDUE, ACTION, INFO = "overdue", "action", "info"
TONES = (OVERDUE, ACTION, INFO)

Params = Mapping[str, Any] | Callable[[Principal], Mapping[str, Any]]


@dataclass(frozen=True)
class WorkSource:
    """One kind of work: which records (``select`` over the model's visible rows), for whom, and
    which filters of the model's list page show exactly them."""

    model: type[Model]
    key: str
    label: Any  # a lazy translation: resolved in the user's language when shown
    select: Callable[[QuerySet, Any], QuerySet]
    audience: tuple[Audience, ...]
    permissions: tuple[str, ...]
    params: Params
    tone: str = ACTION
    hint: Any = ""  # a sentence saying what to do, shown under the label

    def applies_to(self, user: Any) -> bool:
        """Whether the user is in the audience and holds the permissions (the list's view one too)."""
        p = principal_of(user)
        if not any(who(p) for who in self.audience):
            return False
        return all(user.has_perm(name) for name in self.permissions)

    def queryset(self, user: Any) -> QuerySet:
        """The records waiting, read through the model's scope rule."""
        return self.select(self.model.objects.visible_to(user), user)

    def query(self, user: Any) -> str:
        """The list's filters selecting the records counted, as a query string."""
        params = self.params(principal_of(user)) if callable(self.params) else self.params
        return urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)

    def url(self, user: Any) -> str:
        """The model's list page filtered to exactly the records counted."""
        return _with_query(reverse(url_name(self.model, "list")), self.query(user))

    def api_url(self, user: Any) -> str | None:
        """The same records from the API (lists share their filtersets), if the model has an endpoint."""
        try:
            base = reverse(f"api:{self.model._meta.model_name}-list")
        except NoReverseMatch:
            return None
        return _with_query(base, self.query(user))


def _with_query(base: str, query: str) -> str:
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class WorkItem:
    """What one source counts for one user, ready to show or serialise."""

    key: str
    label: str
    count: int
    url: str
    api_url: str | None = None
    tone: str = ACTION
    hint: str = ""

    @property
    def overdue(self) -> bool:
        return self.tone == OVERDUE

    @property
    def waiting(self) -> bool:
        return self.count > 0


_SOURCES: dict[str, WorkSource] = {}
_discovered = False
_lock = threading.Lock()


def work_source(
    model: type[Model],
    *,
    key: str,
    label: Any,
    audience: Audience | tuple[Audience, ...],
    params: Params,
    permission: str | tuple[str, ...] = (),
    tone: str = ACTION,
    hint: Any = "",
) -> Callable[[Callable[[QuerySet, Any], QuerySet]], Callable[[QuerySet, Any], QuerySet]]:
    """Register the decorated ``fn(qs, user) -> qs`` as a source of work on ``model``.

    ``qs`` is ``model.objects.visible_to(user)``; return it narrowed to the records waiting.
    ``params`` are the list page's filters that select the same rows (a mapping, or a function of
    the user's principal for filters that depend on them or on the day). ``permission`` is what
    acting on the records takes (``delivery.change_activity``); viewing the list is always
    required. ``key`` is stable (``app.what``): the API and the tests name items by it.
    """
    if tone not in TONES:
        raise ValueError(f"tone must be one of {TONES}")
    audience = audience if isinstance(audience, tuple) else (audience,)
    permissions = (permission,) if isinstance(permission, str) else tuple(permission)
    required = (perm(model, "view"), *(p for p in permissions if p != perm(model, "view")))

    def register(fn: Callable[[QuerySet, Any], QuerySet]) -> Callable[[QuerySet, Any], QuerySet]:
        if key in _SOURCES and _SOURCES[key].select.__qualname__ != fn.__qualname__:
            raise ValueError(f"work source {key!r} is declared twice")
        _SOURCES[key] = WorkSource(
            model=model,
            key=key,
            label=label,
            select=fn,
            audience=audience,
            permissions=required,
            params=params,
            tone=tone,
            hint=hint,
        )
        return fn

    return register


def sources() -> list[WorkSource]:
    """Every declared source, in declaration order (apps in ``INSTALLED_APPS`` order)."""
    global _discovered
    if not _discovered:
        with _lock:
            if not _discovered:
                autodiscover_modules("selectors")
                _discovered = True
    return list(_SOURCES.values())


def sources_for(user: Any) -> list[WorkSource]:
    """The sources that apply to ``user``: their role is the audience and they hold the permissions."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [s for s in sources() if s.applies_to(user)]


def work_items(user: Any) -> list[WorkItem]:
    """What waits for ``user``, one item per applicable source (one COUNT query each), the most
    pressing first: overdue, then the user's move, then news; declaration order within a tone."""
    items = [
        WorkItem(
            key=s.key,
            label=str(s.label),
            count=s.queryset(user).count(),
            url=s.url(user),
            api_url=s.api_url(user),
            tone=s.tone,
            hint=str(s.hint) if s.hint else "",
        )
        for s in sources_for(user)
    ]
    return sorted(items, key=lambda i: TONES.index(i.tone))
