"""Exports of long lists, written in the background.

A list's *Export* writes the rows at once when there are few (``settings.UPLIFT_EXPORT_INLINE_ROWS``,
20,000 by default); beyond that the page calls :func:`export_start`, which records an
:class:`~uplift.core.models.ExportRun` and queues :func:`uplift.core.tasks.run_export`. The worker
(``uplift db_worker``) runs :func:`export_run`: it rebuilds the list page's view for the export's
owner with the filters they had set, streams its rows into an xlsx (constant memory: see
:func:`uplift.core.tables.table_values`) and stores the file, which the owner then downloads.
Progress goes to the cache, as an import's does.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .export import write_xlsx
from .models import ExportRun, ExportStatus
from .progress import progress

#: Rows between two progress reports.
REPORT_EVERY = 5000


def export_start(*, actor: Any, list_name: str, query: str, title: str, language: str) -> ExportRun:
    """Queue the export of the list ``list_name`` (a URL name) with the filters ``query`` (as in
    the list's address), for ``actor``; the worker writes it once this transaction commits."""
    from .tasks import run_export

    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Sign in to export a list."), code="actor")
    found = list_page(list_name)
    if found is None:
        raise ValidationError({"list_name": _("No list is called %(name)s.") % {"name": list_name}})
    if not _may_read(actor, found[1]):
        raise ValidationError({"list_name": _("You may not read this list.")}, code="permission")
    run = ExportRun.objects.create(
        list_name=list_name,
        query=query,
        title=title[:200],
        language=language,
        status=ExportStatus.QUEUED,
        created_by=actor,
    )
    audit.record(
        actor=actor, action="core.exportrun.start", obj=run, after={"list": list_name, "query": query}
    )
    transaction.on_commit(lambda: run_export.enqueue(run_id=run.pk))
    return run


def export_run(*, run_id: int) -> ExportRun | None:
    """Write a queued export (the worker's task); None when it is not queued any more."""
    run = ExportRun.objects.filter(pk=run_id, status=ExportStatus.QUEUED).select_related("created_by").first()
    if run is None:
        return None
    run.status = ExportStatus.RUNNING
    run.save(update_fields=["status", "updated_at"])
    started = time.monotonic()
    try:
        with translation.override(run.language):
            view = _list_view(run)
            if view is None:
                run.status = ExportStatus.FAILED
                run.message = _("You may no longer read this list; nothing was exported.")
            else:
                _write(run, view, started)
                run.status = ExportStatus.DONE
    except Exception:
        run.status = ExportStatus.FAILED
        run.message = _("The export stopped on an internal error; try again or tell the administrator.")
        raise
    finally:
        cache.delete(_progress_key(run.pk))
        run.seconds = round(time.monotonic() - started, 2)
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor=run.created_by,
            action="core.exportrun.write",
            obj=run,
            after={"status": run.status, "rows": run.rows, "size": run.size},
        )
    return run


def progress_of(run: ExportRun) -> dict[str, Any] | None:
    """How far a running export is (rows, rows a second, percentage, time left), from the cache."""
    return cache.get(_progress_key(run.pk))


def _progress_key(pk: int) -> str:
    return f"exports:progress:{pk}"


def list_page(list_name: str) -> tuple[Any, Any] | None:
    """The list page ``list_name``: its URL match and its :class:`~uplift.core.views.ObjectViews`,
    or None when no such list exists."""
    from .views import ObjectListView

    try:
        match = resolve(reverse(list_name))
    except (NoReverseMatch, Resolver404):
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, ObjectListView):
        return None
    return match, match.func.view_initkwargs["spec"]


def list_request(list_name: str, query: str, user: Any) -> HttpRequest:
    """A GET of the list page ``list_name`` with the filters ``query``, as ``user`` would send it:
    what the list's view and its filterset read when no browser asks (a background export, the
    counts of "my work")."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse(list_name)
    request.GET = QueryDict(query)
    request.user = user
    return request


def _may_read(user: Any, spec: Any) -> bool:
    from .views import perm

    return user.is_active and user.has_perm(perm(spec.model, "view"))


def _list_view(run: ExportRun) -> Any:
    """The list page's view as its owner would get it with the export's filters, or None when the
    owner may no longer read the list (their account closed, their role changed)."""
    found = list_page(run.list_name)
    if found is None or not _may_read(run.created_by, found[1]):
        return None
    match = found[0]
    request = list_request(run.list_name, run.query, run.created_by)
    request.resolver_match = match
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    return view


def _write(run: ExportRun, view: Any, started: float) -> None:
    source = view.export_source()
    run.expected = source.count
    ExportRun.objects.filter(pk=run.pk).update(expected=run.expected)

    def counted(rows: Any) -> Any:
        for n, row in enumerate(rows, start=1):
            if n % REPORT_EVERY == 0:
                cache.set(_progress_key(run.pk), progress(n, time.monotonic() - started, run.expected), 3600)
            yield row

    with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
        run.rows = write_xlsx(tmp, sheet=source.sheet, header=source.header, rows=counted(source.rows))
        run.size = tmp.tell()
        tmp.seek(0)
        run.file.save("export.xlsx", File(tmp), save=False)
