"""Work items: what waits for a user (我的待办), declared once per app and read by every page.

Each app declares, in its own ``selectors.py`` where its reads live, the *sources* of work it
knows about — activities submitted for approval, overdue problems, bids to score — with
:func:`work_source`, as the link that shows them: the model (its list page), the list's filters
(``params``), a label, and who it is for::

    work_source(
        Activity,
        key="delivery.activities_to_approve",
        label=gettext_lazy("Activities to approve"),
        audience=OFFICERS,
        permission="delivery.change_activity",
        params={"status": ActivityStatus.SUBMITTED, "awaiting_my_approval": "true"},
    )

There is no counting function: the registry counts what the link shows, by running the list
page's own filterset (the one its :class:`~uplift.core.views.ObjectViews` declares, found through
the list's URL as the background exports find it) over ``Activity.objects.visible_to(user)`` with
``params`` as its data. So a count never reads past the user's scope (the rules of
:mod:`uplift.accounts.access`) and equals the rows of the list it links to by construction. What a
list cannot select yet is a filter to add to the model's filterset (the list page can show it
too), not a predicate here. Counting a source is one query.

The home page ("my work"), the ``/work/`` page and ``GET /api/my-work/`` all call
:func:`work_items`. Sources are found by importing every installed app's ``selectors`` module
once (``autodiscover_modules``), so an app adds its work with one declaration and nothing else.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.module_loading import autodiscover_modules

from uplift.accounts.access import Principal, principal_of

from .exports import list_page, list_request


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
    """One kind of work: the model's list page filtered by ``params``, for whom, and how shown.

    The records waiting are the rows that link shows: the list's filterset over the model's
    visible rows, with ``params`` as its data (:meth:`queryset`)."""

    model: type[Model]
    key: str
    label: Any  # a lazy translation: resolved in the user's language when shown
    audience: tuple[Audience, ...]
    permissions: tuple[str, ...]
    params: Params
    tone: str = ACTION
    hint: Any = ""  # a sentence saying what to do, shown under the label
    #: where it is declared (module, line): a second declaration of the key elsewhere is an error
    origin: tuple[str, int] = field(default=("", 0), compare=False, repr=False)

    def applies_to(self, user: Any) -> bool:
        """Whether the user is in the audience and holds the permissions (the list's view one too)."""
        p = principal_of(user)
        if not any(who(p) for who in self.audience):
            return False
        return all(user.has_perm(name) for name in self.permissions)

    def params_for(self, user: Any) -> dict[str, Any]:
        """The list's filters for ``user`` (a filter given as None is left out)."""
        params = self.params(principal_of(user)) if callable(self.params) else self.params
        return {k: v for k, v in params.items() if v is not None}

    def query(self, user: Any) -> str:
        """The list's filters selecting the records counted, as a query string."""
        return urlencode(self.params_for(user), doseq=True)

    def filterset(self) -> type:
        """The filterset of the model's list page (the API's list of the model uses the same),
        found through the list's URL as the background exports find it."""
        found = list_page(url_name(self.model, "list"))
        if found is None:
            raise LookupError(f"{url_name(self.model, 'list')} is not an ObjectViews list page")
        return found[1].filterset

    def queryset(self, user: Any, query: str | None = None) -> QuerySet:
        """The records waiting: what the list page shows ``user`` with the source's filters — its
        filterset over ``Model.objects.visible_to(user)``, given the link's query (``query``, else
        :meth:`query`) as data. Filters that do not validate select nothing, as on the page."""
        query = self.query(user) if query is None else query
        request = list_request(url_name(self.model, "list"), query, user)
        filterset = self.filterset()(
            request.GET if query else None,
            queryset=self.model.objects.visible_to(user),
            request=request,
        )
        if filterset.is_bound and not filterset.is_valid():
            return filterset.queryset.none()
        return filterset.qs

    def url(self, user: Any, query: str | None = None) -> str:
        """The model's list page filtered to exactly the records counted."""
        query = self.query(user) if query is None else query
        return _with_query(reverse(url_name(self.model, "list")), query)

    def api_url(self, user: Any, query: str | None = None) -> str | None:
        """The same records from the API (lists share their filtersets), if the model has an endpoint."""
        try:
            base = reverse(f"api:{self.model._meta.model_name}-list")
        except NoReverseMatch:
            return None
        return _with_query(base, self.query(user) if query is None else query)

    def item(self, user: Any) -> WorkItem:
        """What the source counts for ``user`` (one COUNT), with its links; the filters are read
        once, so a count and its links agree even when they depend on the day."""
        query = self.query(user)
        return WorkItem(
            key=self.key,
            label=str(self.label),
            count=self.queryset(user, query).count(),
            url=self.url(user, query),
            api_url=self.api_url(user, query),
            tone=self.tone,
            hint=str(self.hint) if self.hint else "",
        )


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
) -> WorkSource:
    """Declare a source of work on ``model``: the rows its list page shows with ``params``.

    ``params`` are the list's filters (a mapping, or a function of the user's principal for
    filters that depend on them or on the day); the count is what the list shows with them, read
    through the user's scope. ``permission`` is what acting on the records takes
    (``delivery.change_activity``); viewing the list is always required. ``key`` is stable
    (``app.what``): the API and the tests name items by it. Returns the registered source.
    """
    if tone not in TONES:
        raise ValueError(f"tone must be one of {TONES}")
    audience = audience if isinstance(audience, tuple) else (audience,)
    permissions = (permission,) if isinstance(permission, str) else tuple(permission)
    required = (perm(model, "view"), *(p for p in permissions if p != perm(model, "view")))
    caller = sys._getframe(1)
    origin = (caller.f_globals.get("__name__", ""), caller.f_lineno)
    if key in _SOURCES and _SOURCES[key].origin != origin:
        raise ValueError(f"work source {key!r} is declared twice")
    source = WorkSource(
        model=model,
        key=key,
        label=label,
        audience=audience,
        permissions=required,
        params=params,
        tone=tone,
        hint=hint,
        origin=origin,
    )
    _SOURCES[key] = source
    return source


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
    items = [s.item(user) for s in sources_for(user)]
    return sorted(items, key=lambda i: TONES.index(i.tone))
