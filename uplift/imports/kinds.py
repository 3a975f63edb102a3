"""Import kinds: what a spreadsheet of one kind of record holds and how its rows become records.

A kind is declared once, in the app that owns the records (``<app>/imports.py``, found at start-up
by :func:`autodiscover`), as a subclass of :class:`ImportKind`: its model, its natural key, its
columns (headers in Chinese and English, how a cell is read, an example) and any check beyond the
model's own validation (the importer's region, say). The pipeline
(:func:`uplift.imports.services.import_file`), the template workbook, the CLI, the pages and the
API are generic over kinds.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps
from django.db import models

from .reading import Column, parse_text

#: name -> kind, in declaration order.
KINDS: dict[str, ImportKind] = {}


@dataclass(frozen=True)
class Field:
    """One column of an import: the model field it fills, the headers it is known by (Chinese
    first: the template's header), how a cell is read, and what the template shows of it."""

    name: str
    headers: tuple[str, ...]
    parse: Callable[[Any], Any] = parse_text
    required: bool = False
    example: Any = ""
    help: Any = ""
    #: Accepted values, for the template's drop-down list (labels as people write them).
    options: Callable[[], list[str]] | None = None

    @property
    def column(self) -> Column:
        return Column(self.name, self.headers, required=self.required)

    @property
    def header(self) -> str:
        return self.headers[0]


@dataclass
class Context:
    """What a run knows while it checks rows: who imports, and lookups a kind loads once."""

    actor: Any
    principal: Any
    data: dict[str, Any] = field(default_factory=dict)

    def in_area(self, region_code: str) -> bool:
        """Whether a region is inside the importer's area (the system and superusers: anywhere)."""
        p = self.principal
        if p is None or p.is_superuser:
            return True
        return p.officer_for(region_code)


class RowProblems(Exception):
    """Raised by :meth:`ImportKind.values` when a row's cells name what does not exist (an
    unregistered credit code, an unknown cluster): ``problems`` by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


class ImportKind:
    """Base of the import kinds. Subclasses set the class attributes and may override
    :meth:`prepare`, :meth:`load`, :meth:`values`, :meth:`supply` and :meth:`check`."""

    name: ClassVar[str]
    label: ClassVar[Any]
    model: ClassVar[type[models.Model]]
    #: The natural key: the field (or fields) saying whether a row is a new record or one already
    #: there, by model field name (``credit_code``; ``("cluster", "enterprise")``).
    key: ClassVar[str | tuple[str, ...]]
    fields: ClassVar[list[Field]]
    #: Permissions (``app.codename``) an importer needs.
    permissions: ClassVar[tuple[str, ...]] = ()
    #: Fields the model checks against the database (foreign keys); :meth:`check` checks them
    #: against the lookups loaded once by :meth:`prepare` instead (no query per row).
    checked_here: ClassVar[tuple[str, ...]] = ()
    #: How the key is described to people, when naming its fields one by one would not do.
    key_label: ClassVar[Any] = None
    #: Rows checked and written together.
    batch_size: ClassVar[int] = 2000

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "name", None):
            KINDS[cls.name] = cls()

    @property
    def columns(self) -> list[Column]:
        return [f.column for f in self.fields]

    @property
    def key_fields(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)

    @property
    def key_header(self) -> str:
        return (
            str(self.key_label)
            if self.key_label
            else " + ".join(self.field(f).header for f in self.key_fields)
        )

    def key_of(self, values: dict[str, Any]) -> tuple:
        """A row's key from its model values (a foreign key given as an instance or as its id)."""
        out = []
        for name in self.key_fields:
            attname = self.model._meta.get_field(name).attname
            value = values.get(attname, values.get(name))
            out.append(value.pk if isinstance(value, models.Model) else value)
        return tuple(out)

    def headers(self, *names: str) -> list[str]:
        """The template's headers of the fields ``names`` (all of them by default), in that order."""
        return [self.field(n).header for n in names] if names else [f.header for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def header_of(self, name: str) -> str:
        """The template's header of the field ``name``, as problems name their column; ``name``
        itself when the kind has no such field (a problem of the whole row has none: "")."""
        return next((f.header for f in self.fields if f.name == name), name)

    def allowed(self, user: Any) -> bool:
        return all(user.has_perm(p) for p in self.permissions)

    def prepare(self, ctx: Context) -> None:
        """Load, once per run, what :meth:`check` needs (valid codes, the importer's scope)."""

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        """Load, once per batch, what the batch's rows refer to (their enterprises by credit code,
        say) into ``ctx.data``: one query per batch, not per row."""

    def supply(self, obj: models.Model, ctx: Context) -> None:
        """Give a row's record, before it is validated, what :meth:`load` read for the batch and
        its model's ``clean()`` would otherwise ask the database for, row by row (the cluster
        memberships of a batch's enterprises, say)."""

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """The model field values of a row from its parsed cells (by default, the same); raises
        :class:`RowProblems` for cells naming what does not exist."""
        return parsed

    def check(self, obj: models.Model, existing: models.Model | None, ctx: Context) -> dict[str, str]:
        """Problems of a row beyond the model's validation, by field (empty when none); they take
        the place of the model's message for the same field (they say more: "no enterprise with
        this credit code" rather than "this field cannot be empty").

        ``existing`` is the record the row updates (as stored), or None for a new one."""
        return {}

    def revert_refused(self, records: list[models.Model], created: list[models.Model]) -> str | None:
        """Why reverting an import must not touch ``records`` (the stored records it wrote;
        ``created`` those of them it created), or None. The generic checks (changed since, used by
        others) come first; a kind adds its own rules (an activity counted in the figures)."""
        return None

    def existing(self, keys: set[tuple]) -> dict[tuple, models.Model]:
        """The records already stored under ``keys`` (tuples, as :meth:`key_of` gives), by key:
        one query on the key's first field, the rest matched here."""
        attnames = [self.model._meta.get_field(name).attname for name in self.key_fields]
        qs = self.model._base_manager.filter(**{f"{attnames[0]}__in": sorted({k[0] for k in keys})})
        found = {}
        for obj in qs:
            key = tuple(getattr(obj, a) for a in attnames)
            if key in keys:
                found[key] = obj
        return found


def autodiscover() -> None:
    """Import every installed app's ``imports`` module, which declares its kinds."""
    for config in apps.get_app_configs():
        if config.name.startswith("uplift.") and config.label != "imports":
            try:
                importlib.import_module(f"{config.name}.imports")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.imports":
                    raise


def import_url(model: type[models.Model], user: Any) -> str | None:
    """The import page set to ``model``'s kind, if it has one ``user`` may import; else None
    (an empty list offers it beside "Add")."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if not user.has_perm("imports.add_importrun"):
        return None
    for kind in KINDS.values():
        if kind.model is model and kind.allowed(user):
            return f"{reverse('imports:importrun_add')}?{urlencode({'kind': kind.name})}"
    return None
