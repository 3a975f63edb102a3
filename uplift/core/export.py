"""Excel export of any table, written with xlsxwriter in constant-memory mode.

Rows are streamed into a temporary file (memory stays flat whatever the row count) and the file is
sent with a FileResponse. Every text cell is written as a string, never as a formula, so a value
such as ``=HYPERLINK(...)`` cannot run in the reader's spreadsheet.
"""

from __future__ import annotations

import datetime
import decimal
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone


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
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    widths = [max(8, min(40, len(str(h)) * 2 + 2)) for h in header]
    for col, title in enumerate(header):
        ws.set_column(col, col, widths[col])
        ws.write_string(0, col, str(title), bold)
    ws.freeze_panes(1, 0)
    count = 0
    for r, row in enumerate(rows, start=1):
        count += 1
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float | decimal.Decimal):
                ws.write_number(r, c, float(value))
            elif isinstance(value, datetime.datetime):
                ws.write_datetime(
                    r, c, timezone.localtime(value) if timezone.is_aware(value) else value, dt_fmt
                )
            elif isinstance(value, datetime.date):
                ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
            else:
                ws.write_string(r, c, str(value))
    if count:
        ws.autofilter(0, 0, count, max(0, len(header) - 1))
    book.close()
    return count


def xlsx_response(
    filename: str, *, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """An HTTP download of ``rows`` as an xlsx file named ``filename``."""
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # unlinked already: nothing is left behind
    write_xlsx(tmp, sheet=sheet, header=header, rows=rows)
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
