"""The import pipeline: read a spreadsheet, check every row with the same rules as a form, and
write all of it, or nothing, in one transaction; and revert an import as a whole.

A run streams the file (:mod:`uplift.imports.reading`) in batches of the kind's ``batch_size``:
each batch's cells are parsed, its keys looked up in one query, each row classified (new,
changed, unchanged) and validated (``full_clean`` plus the kind's own checks, with lookups loaded
once per run or per batch, none per row), and written with one statement per kind of write, the
rollups kept in step (:func:`uplift.programmes.rollups.upkeep`). Everything happens inside one
transaction: a dry run, or a file with any rejected row (unless the importer asked to import the
valid rows), is rolled back, so the database is left exactly as it was; and a dry run reports what
the real run would do because it *is* the real run, undone.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.accounts.choices import Role
from uplift.core import audit
from uplift.core.bulk import create_objects, update_objects
from uplift.core.progress import progress as progress_figures

from .choices import RunStatus
from .kinds import KINDS, Context, ImportKind, RowProblems
from .models import ImportChange, ImportProblem, ImportRun
from .reading import ReadError, Row, open_sheet

#: Problems kept per run; past this the file is clearly not what the kind expects.
MAX_PROBLEMS = 100_000


class _Undo(Exception):
    """Raised inside the run's transaction to roll it back (a dry run, a rejected file)."""


def _digest(file: IO[bytes]) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    file.seek(0)
    return h.hexdigest(), size


def _bureau(actor: Any) -> str | None:
    """The region of the bureau the importer is an officer of (the run's region), if any."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return (
        actor.memberships.filter(role=Role.OFFICER, is_active=True)
        .order_by("organisation__region_id")
        .values_list("organisation__region_id", flat=True)
        .first()
    )


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _blank(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Empty cells of text fields become "" (what a form stores), not None."""
    out = dict(values)
    for name, value in values.items():
        if value is None:
            f = model._meta.get_field(name)  # a field's name or its column's (region_id)
            if isinstance(f, models.CharField | models.TextField) and not f.null:
                out[name] = ""
    return out


def _attnames(model: type[models.Model], values: dict[str, Any]) -> list[str]:
    """The column names (``industry_id``) of the fields ``values`` sets (``industry``)."""
    out = []
    for name in values:
        out.append(model._meta.get_field(name).attname)
    return out


class _Run:
    """The state of one run while it reads the file."""

    def __init__(self, kind: ImportKind, run: ImportRun, ctx: Context) -> None:
        self.kind, self.run, self.ctx = kind, run, ctx
        self.seen: dict[Any, int] = {}
        self.problems: list[ImportProblem] = []
        self.rejected_rows: set[int] = set()

    def problem(self, row: int, field: str, message: str) -> None:
        self.rejected_rows.add(row)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ImportProblem(run=self.run, row=row, field=field, message=message))

    @property
    def writing(self) -> bool:
        """Whether batches are still written: not once a problem dooms an all-or-nothing run."""
        return self.run.partial or not self.rejected_rows

    def parse(self, row: Row, present: list[Any]) -> dict[str, Any] | None:
        parsed: dict[str, Any] = {}
        ok = True
        for f in present:
            try:
                value = f.parse(row.values.get(f.name))
            except ValueError as exc:
                self.problem(row.number, f.name, str(exc))
                ok = False
                continue
            if value is None and f.required:
                self.problem(row.number, f.name, _("This column must be filled in."))
                ok = False
                continue
            parsed[f.name] = value
        # Repeats are found on the key's cells as written (a credit code, a cluster's name), so a
        # row repeating a rejected row's key is flagged too: correcting one must not make two.
        key = tuple(parsed.get(name) for name in self.kind.key_fields)
        complete = all(
            v is not None
            for name, v in zip(self.kind.key_fields, key, strict=True)
            if self.kind.field(name).required
        )
        if complete and self.repeated(row.number, key):
            ok = False
        return parsed if ok else None

    def repeated(self, row: int, key: tuple) -> bool:
        """Whether an earlier row of the file has the same key (then this row is rejected)."""
        first = self.seen.setdefault(key, row)
        if first == row:
            return False
        kind = self.kind
        self.problem(
            row,
            kind.key_fields[0],
            _("Repeated: row %(row)s of this file has the same %(column)s.")
            % {"row": first, "column": " + ".join(kind.field(f).header for f in kind.key_fields)},
        )
        return True

    def batch(self, rows: list[Row], present: list[Any]) -> tuple[list, list]:
        kind, model = self.kind, self.kind.model
        parsed = [(row, p) for row in rows if (p := self.parse(row, present)) is not None]
        kind.load([p for _row, p in parsed], self.ctx)
        valued = []
        for row, p in parsed:
            try:
                values = _blank(model, kind.values(p, self.ctx))
            except RowProblems as exc:
                for name, message in exc.problems.items():
                    self.problem(row.number, name, message)
                continue
            valued.append((row, values, kind.key_of(values)))
        existing = kind.existing({key for _row, _values, key in valued}) if valued else {}
        creates: list[tuple[int, models.Model]] = []
        updates: list[tuple[int, models.Model, models.Model, list[str]]] = []
        for row, values, key in valued:
            old = existing.get(key)
            if old is None:
                obj = model(**values)
                changed: list[str] = []
            else:
                obj = copy.copy(old)
                for name, value in values.items():
                    setattr(obj, name, value)
                changed = [
                    name for name in _attnames(model, values) if getattr(old, name) != getattr(obj, name)
                ]
                if not changed:
                    self.run.unchanged += 1
                    continue
            kind.supply(obj, self.ctx)
            errors: dict[str, str] = {}
            try:
                obj.full_clean(exclude=list(kind.checked_here), validate_unique=False)
            except ValidationError as exc:
                errors = {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
            errors.update(kind.check(obj, old, self.ctx))
            if errors:
                for name, message in errors.items():
                    self.problem(row.number, "" if name == "__all__" else name, message)
                continue
            if old is None:
                creates.append((row.number, obj))
            else:
                updates.append((row.number, obj, old, changed))
        self.run.created += len(creates)
        self.run.updated += len(updates)
        return creates, updates

    def write(self, creates: list, updates: list) -> None:
        from uplift.programmes import rollups

        model = self.kind.model
        now = timezone.now()
        for _row, obj, old, _changed in updates:
            obj.version = old.version + 1
            obj.updated_at = now
        with rollups.upkeep([old for _row, _obj, old, _changed in updates]) as written:
            made = create_objects(model, [obj for _row, obj in creates])
            fields = sorted(
                {name for *_rest, changed in updates for name in changed} | {"version", "updated_at"}
            )
            if updates:
                update_objects(model, [obj for _row, obj, _old, _c in updates], fields)
            written.extend(made)
            written.extend(obj for _row, obj, _old, _c in updates)
        create_objects(
            ImportChange,
            [
                ImportChange(run=self.run, object_id=obj.pk, row=row, version=obj.version)
                for row, obj in creates
            ]
            + [
                ImportChange(
                    run=self.run,
                    object_id=obj.pk,
                    row=row,
                    before={name: audit.plain(getattr(old, name)) for name in changed},
                    version=obj.version,
                )
                for row, obj, old, changed in updates
            ],
        )


def _new_run(
    *, actor: Any, kind: str, file: IO[bytes], name: str, dry_run: bool, partial: bool, status: str
) -> tuple[ImportKind, ImportRun]:
    """Check the importer may import ``kind``, keep the file, and record the run."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("Unknown kind of import: %(kind)s.") % {"kind": kind}})
    if actor is not None and not spec.allowed(actor):
        raise ValidationError({"kind": _("You may not import %(kind)s.") % {"kind": spec.label}})
    digest, size = _digest(file)
    user = actor if getattr(actor, "is_authenticated", False) else None
    run = ImportRun(
        kind=kind,
        file_name=(name or "upload")[-255:],
        size=size,
        sha256=digest,
        status=status,
        dry_run=dry_run,
        partial=partial,
        region_id=_bureau(actor),
        created_by=user,
    )
    # Kept (content-addressed) for the error report, for a queued run, and for importing a
    # checked file for real.
    run.file.save(run.file_name, File(file), save=False)
    file.seek(0)
    run.save()
    return spec, run


def import_file(
    *,
    actor: Any,
    kind: str,
    file: IO[bytes],
    name: str,
    dry_run: bool = False,
    partial: bool = False,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> ImportRun:
    """Read ``file`` (named ``name``) as records of ``kind`` and write them, all or nothing, now.

    Returns the run: ``checked`` (a dry run: what would happen, nothing written), ``rejected``
    (rows with problems and not ``partial``: nothing written), ``imported``, or ``failed`` (the
    file could not be read: not a spreadsheet, no header...). Problems are stored per row and
    column (:class:`ImportProblem`). With ``partial`` the rows without problems are written.
    ``progress`` is called after each batch with the rows read, the seconds and the rate.
    """
    spec, run = _new_run(
        actor=actor,
        kind=kind,
        file=file,
        name=name,
        dry_run=dry_run,
        partial=partial,
        status=RunStatus.RUNNING,
    )
    return _execute(spec, run, actor, file, progress)


def import_queue(
    *, actor: Any, kind: str, file: IO[bytes], name: str, dry_run: bool = False, partial: bool = False
) -> ImportRun:
    """Record the run and leave it to a background worker (:mod:`uplift.imports.tasks`): what a
    page does with a large file, so the request returns at once and the run's page follows it."""
    from .tasks import run_import

    spec, run = _new_run(
        actor=actor,
        kind=kind,
        file=file,
        name=name,
        dry_run=dry_run,
        partial=partial,
        status=RunStatus.QUEUED,
    )
    audit.record(actor=actor, action="imports.importrun.queue", obj=run, after={"sha256": run.sha256})
    transaction.on_commit(lambda: run_import.enqueue(run_id=run.pk))
    return run


def import_start(
    *, actor: Any, kind: str, file: IO[bytes], name: str, dry_run: bool = False, partial: bool = False
) -> ImportRun:
    """Import now when the file is small (the page shows the outcome at once), in the background
    when it is larger than ``settings.UPLIFT_IMPORT_INLINE_BYTES`` (the page follows it)."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    start = import_queue if size > settings.UPLIFT_IMPORT_INLINE_BYTES else import_file
    return start(actor=actor, kind=kind, file=file, name=name, dry_run=dry_run, partial=partial)


def import_run_queued(*, run_id: int) -> ImportRun | None:
    """Run a queued import (the worker's task); None when it is not queued any more."""
    run = ImportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).select_related("created_by").first()
    if run is None or run.kind not in KINDS:
        return None
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status", "updated_at"])
    actor = run.created_by
    with run.file.open("rb") as f:
        return _execute(KINDS[run.kind], run, actor, f)


def progress_of(run: ImportRun) -> dict[str, Any] | None:
    """How far a running import is: rows read, rows a second, seconds so far (from the cache the
    worker writes to each batch: the run's own row is inside its transaction until the end)."""
    return cache.get(_progress_key(run.pk))


def _progress_key(pk: int) -> str:
    return f"imports:progress:{pk}"


def _execute(
    spec: ImportKind,
    run: ImportRun,
    actor: Any,
    file: IO[bytes],
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> ImportRun:
    started = time.monotonic()
    user = actor if getattr(actor, "is_authenticated", False) else None
    state = _Run(spec, run, Context(actor=actor, principal=principal_of(actor) if user else None))
    try:
        with transaction.atomic():
            try:
                sheet = open_sheet(file, run.file_name, spec.columns)
            except (ReadError, ValidationError) as exc:
                run.status = RunStatus.FAILED
                run.message = " ".join(getattr(exc, "messages", [str(exc)]))
                raise _Undo from exc
            run.header_row = sheet.header_row
            present = [f for f in spec.fields if f.name in sheet.columns]
            spec.prepare(state.ctx)
            expected = sheet.expected_rows()
            for rows in _batches(sheet.rows(), spec.batch_size):
                run.rows += len(rows)
                creates, updates = state.batch(rows, present)
                if state.writing and (creates or updates):
                    state.write(creates, updates)
                elapsed = time.monotonic() - started
                done = progress_figures(run.rows, elapsed, expected)
                cache.set(_progress_key(run.pk), done, timeout=3600)
                if progress is not None:
                    progress(done)
            run.rejected = len(state.rejected_rows)
            if run.dry_run:
                run.status = RunStatus.CHECKED
                raise _Undo
            if state.rejected_rows and not (run.partial and (run.created or run.updated)):
                run.status = RunStatus.REJECTED
                raise _Undo
            run.status = RunStatus.IMPORTED
            _finish(run, state, started)
    except _Undo:
        with transaction.atomic():
            _finish(run, state, started)
    except ReadError as exc:  # raised while streaming (too many rows, a cell too long)
        run.status, run.message = RunStatus.FAILED, str(exc)
        run.created = run.updated = run.unchanged = 0
        with transaction.atomic():
            _finish(run, state, started)
    except Exception:
        run.status, run.message = (
            RunStatus.FAILED,
            _("The import stopped on an internal error; nothing was written."),
        )
        run.created = run.updated = run.unchanged = 0
        _finish(run, state, started)
        raise
    finally:
        cache.delete(_progress_key(run.pk))
    return run


def _finish(run: ImportRun, state: _Run, started: float) -> None:
    if run.status in (RunStatus.REJECTED, RunStatus.FAILED) and not run.dry_run:
        # Nothing was written: say so in the counts, keep what the check found.
        run.message = run.message or _(
            "Nothing was written: correct the rows listed and import the file again."
        )
    run.rejected = len(state.rejected_rows)
    run.seconds = round(time.monotonic() - started, 3)
    run.save()
    ImportProblem.objects.bulk_create(state.problems, batch_size=2000)
    audit.record(
        actor=state.ctx.actor,
        action="imports.importrun.import",
        obj=run,
        after={
            "kind": run.kind,
            "file_name": run.file_name,
            "sha256": run.sha256,
            "status": run.status,
            "rows": run.rows,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
        },
    )


@transaction.atomic
def import_revert(*, actor: Any, run: ImportRun) -> ImportRun:
    """Undo an import as a whole: delete the records it created, restore the values it changed.

    Refused (nothing written) when the import wrote nothing, was already reverted, when a record
    it wrote has been changed since (that change would be lost), or when a record it created is
    now used by others (a participation of a new enterprise, say)."""
    from uplift.programmes import rollups

    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.IMPORTED:
        raise ValidationError(_("Only an import that wrote records can be reverted."), code="state")
    kind = KINDS[run.kind]
    model = kind.model
    changes = list(run.changes.order_by("row"))
    current = model._base_manager.select_for_update().in_bulk([c.object_id for c in changes])
    moved = [c.row for c in changes if c.object_id in current and current[c.object_id].version != c.version]
    if moved:
        raise ValidationError(
            _(
                "%(n)d records this import wrote were changed since (rows %(rows)s); reverting would "
                "lose those changes. Correct them by hand or import a corrected file."
            )
            % {"n": len(moved), "rows": ", ".join(str(r) for r in moved[:20])},
            code="changed",
        )
    created = [current[c.object_id] for c in changes if c.before is None and c.object_id in current]
    refused = kind.revert_refused(list(current.values()), created)
    if refused:
        raise ValidationError(refused, code="refused")
    restored = []
    now = timezone.now()
    for c in changes:
        obj = current.get(c.object_id)
        if c.before is None or obj is None:
            continue
        for attname, value in c.before.items():
            # get_field finds a field by its column's name (``enterprise_id``) as by its own.
            setattr(obj, attname, model._meta.get_field(attname).to_python(value))
        obj.version += 1
        obj.updated_at = now
        restored.append(obj)
    with rollups.upkeep(list(current.values())) as written:
        try:
            model._base_manager.filter(pk__in=[o.pk for o in created]).delete()
        except (ProtectedError, RestrictedError) as exc:
            used = sorted(
                {
                    str(o)
                    for o in list(
                        exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
                    )[:5]
                }
            )
            raise ValidationError(
                _(
                    "Records this import created are used by others now (%(used)s); "
                    "the import cannot be reverted."
                )
                % {"used": "; ".join(used)},
                code="protected",
            ) from exc
        fields = sorted({a for c in changes if c.before for a in c.before} | {"version", "updated_at"})
        if restored:
            update_objects(model, restored, fields)
        written.extend(restored)
    run.status = RunStatus.REVERTED
    run.reverted_at = now
    run.save(update_fields=["status", "reverted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="imports.importrun.revert",
        obj=run,
        after={"deleted": len(created), "restored": len(restored), "sha256": run.sha256},
    )
    return run


def import_checked(*, actor: Any, run: ImportRun, partial: bool = False) -> ImportRun:
    """Import for real the file a dry run checked (a new run over the same stored file)."""
    if not run.dry_run or run.status != RunStatus.CHECKED:
        raise ValidationError(_("Only a checked dry run can be imported."), code="state")
    with run.file.open("rb") as f:
        return import_start(actor=actor, kind=run.kind, file=f, name=run.file_name, partial=partial)
