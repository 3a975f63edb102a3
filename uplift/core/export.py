"""Excel export of any table, written with xlsxwriter in constant-memory mode.

Rows are streamed into a temporary file (memory stays flat whatever the row count) and the file is
sent with a FileResponse. Every text cell is written as a string, never as a formula, so a value
such as ``=HYPERLINK(...)`` cannot run in the reader's spreadsheet: :func:`write_cell`, which the
import workbooks (:mod:`uplift.imports.workbooks`) write their cells with too.
"""

from __future__ import annotations

import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone


@dataclass(frozen=True)
class DateFormats:
    """The number formats of a workbook's date cells, for writing dates as real dates (a column
    the reader can sort and filter by date) rather than as text."""

    date: Any
    datetime: Any

    @classmethod
    def of(cls, book: xlsxwriter.Workbook) -> DateFormats:
        return cls(
            date=book.add_format({"num_format": "yyyy-mm-dd"}),
            datetime=book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        )


def write_cell(
    ws: Any, row: int, col: int, value: Any, fmt: Any = None, *, dates: DateFormats | None = None
) -> None:
    """Write a Python value into a cell as what it is: a boolean, a number, a date or text; None
    and "" leave the cell empty (a blank cell when ``fmt`` styles it). ``fmt`` styles the cell.

    Text is always written as a string, never as a formula or a link whatever the workbook's
    options, so a cell such as ``=HYPERLINK(...)`` cannot run in the reader's spreadsheet
    (xlsxwriter cuts it at Excel's 32,767 characters). Dates are real dates in the formats of
    ``dates`` (an aware datetime in local time), which take the place of ``fmt``; without
    ``dates``, their ISO text: the import error report gives back the cells as they were read,
    not dates reformatted."""
    if value is None or value == "":
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float | decimal.Decimal):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, datetime.datetime | datetime.date) and dates is None:
        ws.write_string(row, col, value.isoformat(), fmt)
    elif isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        ws.write_datetime(row, col, local, dates.datetime)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), dates.date)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_xlsx(target: Any, *, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``header`` and ``rows`` to an xlsx at ``path``; return the number of data rows."""
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    dates = DateFormats.of(book)
    widths = [max(8, min(40, len(str(h)) * 2 + 2)) for h in header]
    for col, title in enumerate(header):
        ws.set_column(col, col, widths[col])
        ws.write_string(0, col, str(title), bold)
    ws.freeze_panes(1, 0)
    count = 0
    for r, row in enumerate(rows, start=1):
        count += 1
        for c, value in enumerate(row):
            write_cell(ws, r, c, value, dates=dates)
    if count:
        ws.autofilter(0, 0, count, max(0, len(header) - 1))
    book.close()
    return count


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(write: Callable[[Any], Any], filename: str, content_type: str = XLSX) -> FileResponse:
    """An HTTP download of what ``write(file)`` writes into a temporary file (a workbook, a PDF),
    named ``filename``: written whole first, then sent from disk, whatever its size."""
    tmp = tempfile.TemporaryFile(suffix="." + filename.rsplit(".", 1)[-1])  # unlinked already
    write(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=content_type)


def xlsx_response(
    filename: str, *, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """An HTTP download of ``rows`` as an xlsx file named ``filename``."""
    return file_response(lambda f: write_xlsx(f, sheet=sheet, header=header, rows=rows), filename)
