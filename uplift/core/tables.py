"""Base table: sortable columns, numbers right-aligned, a link on the record's name; and
:func:`table_values`, a table's cells for an export, streamed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django_tables2 import utils as tables_utils
from django_tables2.rows import BoundRow

from .money import yuan


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table"}
        empty_text = _("No records match. Change or clear the filters.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A date is written in the reader's locale (2018年6月1日 / 1 Jun 2018) and never broken
        # over two lines; the columns are this table's own copies.
        for bound in self.columns.iterall():
            if isinstance(bound.column, tables.DateColumn | tables.DateTimeColumn):
                bound.column.attrs.setdefault("td", {}).setdefault("class", "date")


class NumberColumn(tables.Column):
    """A right-aligned numeric column (tabular figures)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        # The same grouping as detail pages and reports, in the reader's language.
        return number_format(value, force_grouping=True) if isinstance(value, int | Decimal) else value

    def value(self, value):
        # An export keeps the number a number (a spreadsheet sums it; "10,364" it would not).
        return value


class MoneyColumn(NumberColumn):
    """An amount in yuan: ``¥1,300,000`` on the page (:func:`uplift.core.money.yuan`), the number
    itself in an export. A record's detail page shows the field the same way."""

    def render(self, value):
        return yuan(value)


class AuditEntryTable(BaseTable):
    at = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        from .models import AuditEntry

        model = AuditEntry
        fields = (
            "seq",
            "at",
            "actor_name",
            "actor_roles",
            "address",
            "action",
            "object_type",
            "object_id",
            "object_repr",
        )


class AttachmentTable(BaseTable):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("record"), linkify=lambda record: record.parent, orderable=False)
    format_label = tables.Column(verbose_name=_("format"), accessor="format_label", order_by="media_type")
    size = NumberColumn(verbose_name=_("Size"))
    removed_at = tables.Column()

    class Meta(BaseTable.Meta):
        from .models import Attachment

        model = Attachment
        fields = (
            "name",
            "kind",
            "content_type",
            "parent",
            "format_label",
            "size",
            "uploaded_by",
            "created_at",
            "removed_at",
        )

    def render_parent(self, value):
        return Truncator(str(value)).chars(28)

    def value_parent(self, value):
        return str(value)

    def render_size(self, value):
        return filesizeformat(value)

    def value_size(self, value):
        return value

    def render_content_type(self, value):
        return capfirst(value.model_class()._meta.verbose_name) if value.model_class() else value

    value_content_type = render_content_type


#: Records read from the database at a time by an export.
EXPORT_CHUNK = 2000


def table_values(table: tables.Table, exclude: tuple[str, ...] = ()) -> Iterator[list[Any]]:
    """The header, then each record's cells as the table shows them (its ``value_*`` and
    ``render_*`` methods, choices by label): :meth:`~django_tables2.Table.as_values`, but reading
    a queryset in chunks (:meth:`QuerySet.iterator`) so that an export of a million rows holds
    :data:`EXPORT_CHUNK` records in memory, not a million."""
    columns = [c for c in table.columns.iterall() if not (c.column.exclude_from_export or c.name in exclude)]
    yield [force_str(c.header, strings_only=True) for c in columns]
    data = table.data.data
    records = data.iterator(chunk_size=EXPORT_CHUNK) if isinstance(data, QuerySet) else iter(data)
    for record in records:
        row = BoundRow(record, table=table)
        yield [force_str(row.get_cell_value(c.name), strings_only=True) for c in columns]


def cache_signatures() -> None:
    """Remember what arguments each cell function takes, instead of asking :mod:`inspect` for
    every cell.

    django-tables2 calls ``inspect.signature`` for every cell it renders (twice for an export's
    cell: the column's ``value`` and its ``render``); on an export of 11,000 enterprises that is
    most of the time (django-tables2 issue #821). A function's signature does not change, so it
    is looked up once per function (a bound method by its function: the same arguments, ``self``
    left out). Installed at start-up (:class:`uplift.core.apps.CoreConfig`); decision 0013.
    """
    if getattr(tables_utils.signature, "cached", False):
        return
    original = tables_utils.signature

    @functools.lru_cache(maxsize=4096)
    def by_function(function: Any, bound: bool) -> tuple[tuple[str, ...], str | None]:
        return original(function.__get__(object()) if bound else function)

    def signature(fn: Any) -> tuple[tuple[str, ...], str | None]:
        function = getattr(fn, "__func__", None)
        try:
            return by_function(function, True) if function is not None else by_function(fn, False)
        except TypeError:  # unhashable (a callable object defining __eq__ only): as before
            return original(fn)

    signature.cached = True  # type: ignore[attr-defined]
    tables_utils.signature = signature


class ExportRunTable(BaseTable):
    title = tables.Column(linkify=True)
    rows = NumberColumn(verbose_name=_("Rows"))
    size = NumberColumn(verbose_name=_("Size"))

    class Meta(BaseTable.Meta):
        from .models import ExportRun

        model = ExportRun
        fields = ("title", "query", "status", "rows", "size", "created_at", "finished_at")

    def render_size(self, value):
        return filesizeformat(value)
