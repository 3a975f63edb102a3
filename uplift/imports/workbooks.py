"""The workbooks of an import kind: the template people fill in, and the error report that gives
a rejected file back with its bad cells marked.

Both are written with xlsxwriter; text is always written as text (never as a formula, by
:func:`uplift.core.export.write_cell`), so a cell such as ``=HYPERLINK(...)`` in a rejected file
cannot run in the reader's spreadsheet; dates are given back as the text they were read as.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from uplift.core.export import write_cell

from .kinds import ImportKind
from .models import ImportRun
from .reading import open_sheet, raw_rows

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}


def write_template(kind: ImportKind, target: Any) -> None:
    """The kind's template: a data sheet with the Chinese headers (required ones marked), one
    example row and drop-down lists where a column takes fixed values; and an instructions sheet
    giving each column's English name, whether it is required and how to fill it in."""
    book = xlsxwriter.Workbook(target, OPTIONS)
    head = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    needed = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    example = book.add_format({"font_color": "#7F7F7F", "italic": True})
    data = book.add_worksheet(str(kind.label)[:31])
    for col, f in enumerate(kind.fields):
        data.set_column(col, col, max(12, len(f.header) * 2 + 4))
        data.write_string(0, col, f.header + ("*" if f.required else ""), needed if f.required else head)
        value = f.example
        if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            data.write_number(1, col, float(value), example)
        elif value not in (None, ""):
            data.write_string(1, col, str(value), example)
        if f.options:
            data.data_validation(
                1,
                col,
                100_000,
                col,
                {
                    "validate": "list",
                    "source": f.options()[:50],
                    "error_title": f.header,
                    "error_message": _("Choose one of the listed values."),
                },
            )
    data.freeze_panes(1, 0)
    notes = book.add_worksheet(_("Instructions")[:31])
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 30)
    notes.set_column(2, 2, 10)
    notes.set_column(3, 3, 70)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    notes.write_string(0, 0, _("Import template: %(kind)s") % {"kind": kind.label}, head)
    notes.write_string(
        1,
        0,
        _(
            "Fill in the first sheet from row 2 (replace the grey example row). Columns may be in any "
            "order; English headers are accepted too. Rows are matched by %(key)s: a row whose "
            "%(key)s is already registered updates that record. A file with any rejected row writes "
            "nothing unless you choose to import the valid rows."
        )
        % {"key": kind.key_header},
    )
    for col, title in enumerate([_("Column"), _("Also accepted"), _("Required"), _("How to fill it in")]):
        notes.write_string(3, col, title, head)
    for row, f in enumerate(kind.fields, start=4):
        notes.write_string(row, 0, f.header)
        notes.write_string(row, 1, " / ".join(f.headers[1:]), wrap)
        notes.write_string(row, 2, _("yes") if f.required else _("no"))
        hint = str(f.help or "")
        if f.options:
            hint = (hint + " " if hint else "") + _("One of: %(values)s.") % {
                "values": ", ".join(f.options())
            }
        notes.write_string(row, 3, hint, wrap)
    book.close()


def write_rows(target: Any, *, header: list[str], rows: list[list[Any]], title: str = "") -> None:
    """A plain sheet as offices send them: an optional title row, the header, the rows."""
    book = xlsxwriter.Workbook(target, OPTIONS)
    ws = book.add_worksheet()
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(header) - 1, title)
        r = 1
    for c, text in enumerate(header):
        ws.write_string(r, c, text)
    for i, row in enumerate(rows, start=r + 1):
        for c, value in enumerate(row):
            write_cell(ws, i, c, value)
    book.close()


def write_error_report(run: ImportRun, kind: ImportKind, file: IO[bytes], target: Any) -> int:
    """The rejected file given back: every row as it was read, each bad cell filled red with the
    problem as a comment, and a last column giving the row's problems in words. Returns the number
    of rows marked."""
    problems: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row, field, message in run.problems.values_list("row", "field", "message"):
        problems[row][field].append(message)
    book = xlsxwriter.Workbook(target, {**OPTIONS, "constant_memory": False})
    ws = book.add_worksheet(_("Problems")[:31])
    bad = book.add_format({"bg_color": "#F8CBAD", "border": 1, "border_color": "#C00000"})
    reason = book.add_format({"font_color": "#C00000", "text_wrap": True})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    # Where the kind's columns are, as the run found them (a merged two-row header included).
    sheet = open_sheet(file, run.file_name, kind.columns)
    columns, header_row = sheet.columns, sheet.header_row - 1
    file.seek(0)
    width = 0  # the problems column: after the header's last column
    marked = 0
    for r, cells in enumerate(raw_rows(file, run.file_name)):
        if r == header_row:
            width = len(cells)
            for c, value in enumerate(cells):
                write_cell(ws, r, c, value, head)
            continue
        found = problems.get(r + 1)
        for c, value in enumerate(cells):
            write_cell(ws, r, c, value)
        if not found:
            continue
        marked += 1
        words = []
        for field, messages in found.items():
            text = " ".join(messages)
            col = columns.get(field)
            if col is not None:
                write_cell(ws, r, col, cells[col] if col < len(cells) else None, bad)
                ws.write_comment(r, col, text[:1000])
            words.append(f"{kind.header_of(field) or _('Row')}: {text}" if field else text)
        ws.write_string(r, max(width, 1), "；".join(words), reason)
    ws.write_string(header_row, max(width, 1), _("Problems"), head)
    ws.set_column(max(width, 1), max(width, 1), 60)
    ws.freeze_panes(header_row + 1, 0)
    book.close()
    return marked
