"""Reading an uploaded spreadsheet: the first stage of the import pipeline.

An import starts with a file someone uploaded — an Excel workbook (xlsx, xls), an OpenDocument sheet
(ods) or a CSV text file, often filled in by hand from a template that was itself edited: a title row
merged across the top, a group row above the real headers, the columns in another order, headers in
English, stray spaces, full-width digits, numbers stored as text, dates typed as ``2018年6月1日``.

This module turns such a file into rows of plain Python values, matched to the columns the caller
asks for, and nothing more: it never touches the database or a model. :func:`open_sheet` decides the
format from the file's first bytes (never from its name), finds the header row, maps the columns and
returns a :class:`Sheet` whose :meth:`Sheet.rows` streams the data rows (a million-row file is never
held as a list of Python rows). Problems with the whole file raise :class:`ReadError`, whose message is
meant for the person who uploaded it. The ``parse_*`` functions then read single values (dates,
numbers, text, choices, yes/no) and raise :class:`ValueError` with a short message when they cannot;
the next stage turns those into per-row problems.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import decimal
import functools
import io
import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext as _
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

__all__ = [
    "Column",
    "ReadError",
    "Row",
    "Sheet",
    "open_sheet",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_text",
    "match_header",
    "raw_rows",
]

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 20
#: Excel's own limits: rows in a sheet (less the header row) and characters in a cell.
MAX_ROWS = 1_048_575
MAX_CELL = 32_767

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Formats that are clearly not text, whatever their bytes happen to decode to.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
# OOXML encryption (a password-protected xlsx) stores the workbook in an OLE2 container, in these streams.
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_PASSWORD_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb")
_SAMPLE = 64 * 1024
_CHUNK = 1024 * 1024
_DELIMITERS = (",", "\t", ";")
_INSTRUCTION_SHEETS = ("说明", "說明", "须知", "須知", "instruction", "readme")


def _limit(n: int) -> str:
    """A count as the messages show it: 32,767."""
    return f"{n:,}"


# --------------------------------------------------------------------------------------------------
# The columns asked for, and the whole-file error


@dataclass(frozen=True)
class Column:
    """A column the caller wants: the target ``field`` and the header texts a file may use for it.

    ``headers`` lists the accepted texts, Chinese first (the first one names the column in messages),
    then English. Matching ignores width (full-width letters), case, all whitespace and a required
    marker such as ``*``, ``（必填）`` or a trailing colon. ``required`` columns must be in the file.
    """

    field: str
    headers: tuple[str, ...]
    required: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.headers, str):
            object.__setattr__(self, "headers", (self.headers,))
        else:
            object.__setattr__(self, "headers", tuple(self.headers))
        if not self.headers:
            raise ValueError(f"Column {self.field!r} needs at least one header text.")

    @property
    def label(self) -> str:
        """The name messages use for the column: its first (Chinese) header."""
        return self.headers[0]


class ReadError(ValidationError):
    """The file as a whole cannot be read; ``message`` says why, for the person who uploaded it.

    A :class:`~django.core.exceptions.ValidationError`, so views and the API show it like any other
    validation error; ``code`` tells the cases apart ("empty", "format", "password", "header", …).
    """

    def __init__(self, message: Any, code: str | None = "invalid", params: Any = None) -> None:
        super().__init__(message, code=code, params=params)

    def __str__(self) -> str:
        return str(self.message)


def _not_spreadsheet() -> ReadError:
    return ReadError(_("This is not a spreadsheet (xlsx, xls, ods or csv)."), code="format")


def _empty() -> ReadError:
    return ReadError(_("The file is empty."), code="empty")


def _password() -> ReadError:
    return ReadError(
        _("The workbook is password-protected; save it without a password and upload again."),
        code="password",
    )


def _damaged() -> ReadError:
    return ReadError(
        _(
            "The spreadsheet cannot be read; it may be damaged. "
            "Open it in Excel, save it again and upload it."
        ),
        code="damaged",
    )


def _column_letter(index: int) -> str:
    """Excel's name for a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --------------------------------------------------------------------------------------------------
# Rows and the sheet


@dataclass
class Row:
    """One data row: its ``number`` as Excel shows it (1-based, title and header rows counted) and
    ``values``, field → cell value (strings NFKC-normalised and stripped, empty cells None)."""

    number: int
    values: dict[str, Any]


# A source of raw rows: each call starts again at the top of the sheet, yielding lists of cell values,
# one list per spreadsheet row (blank rows included, so the position gives the row number).
_RowSource = Callable[[], Iterator[list[Any]]]


@dataclass
class Sheet:
    """The sheet found in a file: where its header is, which column holds which field.

    ``header_row`` is the header's 1-based row number; ``columns`` maps each field found to its 0-based
    column index in the file; ``headers`` are the header row's cells as written (same indices);
    ``unknown`` lists the header cells that matched no column, to show as a warning. Iterate
    :meth:`rows` for the data.
    """

    header_row: int
    columns: dict[str, int]
    headers: list[str]
    unknown: list[str]
    kind: str = ""
    sheet_name: str | None = None
    _source: _RowSource | None = field(default=None, repr=False, compare=False)
    _column_offset: int = field(default=0, repr=False, compare=False)
    _first_data_row: int = field(default=0, repr=False, compare=False)
    _max_rows: int = field(default=MAX_ROWS, repr=False, compare=False)
    _max_cell: int = field(default=MAX_CELL, repr=False, compare=False)

    def expected_rows(self) -> int | None:
        """About how many data rows the sheet holds, for a progress bar: the workbook's used range,
        or a CSV file's line count (a cell written over several lines counts them all), less the
        rows down to the header. None when the source cannot say."""
        total = getattr(self._source, "total", None)
        if total is None:
            return None
        return max(0, total - max(self._first_data_row, self.header_row + 1) + 1)

    def rows(self) -> Iterator[Row]:
        """Stream the data rows below the header, skipping fully empty rows (still counted in numbers).

        Each call reads the file again from the top. Raises :class:`ReadError` while streaming for a
        cell longer than ``max_cell`` characters or more than ``max_rows`` data rows.
        """
        if self._source is None:
            return
        first = max(self._first_data_row, self.header_row + 1)
        wanted = [(name, index - self._column_offset) for name, index in self.columns.items()]
        count = 0
        for number, cells in enumerate(self._source(), start=1):
            if number < first or _is_blank(cells):
                continue
            _check_cells(cells, number, self._column_offset, self._max_cell)
            count += 1
            if count > self._max_rows:
                raise ReadError(
                    _("The file has more than %(limit)s rows.") % {"limit": _limit(self._max_rows)},
                    code="rows",
                )
            width = len(cells)
            yield Row(
                number=number,
                values={name: _clean(cells[i]) if 0 <= i < width else None for name, i in wanted},
            )


def _clean(value: Any) -> Any:
    """A cell's value as rows carry it: strings NFKC-normalised and stripped, empty → None."""
    if isinstance(value, str):
        value = value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
        return value or None
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_blank(cells: list[Any]) -> bool:
    return all(_is_empty(v) for v in cells)


def _check_cells(cells: list[Any], number: int, offset: int, max_cell: int) -> None:
    """Refuse a cell longer than Excel allows: a sign of a broken or malicious file."""
    for i, value in enumerate(cells):
        if isinstance(value, str) and len(value) > max_cell:
            raise ReadError(
                _("Row %(row)s, column %(column)s: a cell of more than %(limit)s characters.")
                % {"row": number, "column": _column_letter(offset + i), "limit": _limit(max_cell)},
                code="cell",
            )


# --------------------------------------------------------------------------------------------------
# Header matching

_LEADING_MARK = re.compile(r"^\*+")
_TRAILING_MARK = re.compile(
    r"(?:\*+|:+|[(\[【〔](?:必填项?|必填字段|必须填写|必需|required|mandatory|选填|可选|optional)[)\]】〕])$"
)


def _header_key(text: Any) -> str:
    """The form headers are compared in: NFKC, no whitespace at all, case-folded, no required marker."""
    key = "".join(unicodedata.normalize("NFKC", _cell_text(text)).split()).casefold()
    key = _LEADING_MARK.sub("", key)
    while True:
        shorter = _TRAILING_MARK.sub("", key)
        if shorter == key:
            return key
        key = shorter


def _cell_text(value: Any) -> str:
    """A header cell as text: whole numbers without ".0", empty → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _lookup(columns: list[Column]) -> dict[str, str]:
    """Header key → field, refusing a column list that contradicts itself (a programming error)."""
    if not columns:
        raise ValueError("open_sheet needs at least one column.")
    fields: set[str] = set()
    keys: dict[str, str] = {}
    for column in columns:
        if column.field in fields:
            raise ValueError(f"The field {column.field!r} is listed twice.")
        fields.add(column.field)
        for header in column.headers:
            key = _header_key(header)
            if not key:
                raise ValueError(f"The header {header!r} of {column.field!r} is empty once normalised.")
            if keys.get(key, column.field) != column.field:
                raise ValueError(
                    f"The header {header!r} is given for both {keys[key]!r} and {column.field!r}."
                )
            keys[key] = column.field
    return keys


def _matches(cells: list[Any], lookup: dict[str, str]) -> dict[int, str]:
    """Cell index → field, for the cells of a row that are known headers."""
    found: dict[int, str] = {}
    for i, value in enumerate(cells):
        if not _is_empty(value):
            name = lookup.get(_header_key(value))
            if name is not None:
                found[i] = name
    return found


def _header_cells(rows: list[list[Any]], i: int, matches: list[dict[int, str]]) -> dict[int, str]:
    """The header cells of row ``i`` (index → field), with vertically merged headers filled in.

    In a two-row header, the columns without a group ("序号", "企业名称") are merged across both rows:
    their text is in the upper row and the lower row's cell is empty. Such an empty cell takes the
    field of the cell just above it, when that one is a known header.
    """
    own = matches[i]
    if not own or i == 0:
        return own
    cells, taken = rows[i], set(own.values())
    filled = dict(own)
    for index, name in matches[i - 1].items():
        if name not in taken and (index >= len(cells) or _is_empty(cells[index])):
            filled[index] = name
            taken.add(name)
    return filled


def _find_header(
    source: _RowSource, columns: list[Column], offset: int, max_cell: int
) -> tuple[int, int, dict[int, str], list[Any]]:
    """Find the header among the first rows: (header row number, first data row number, index → field,
    the header cells as they are written)."""
    lookup = _lookup(columns)
    rows: list[list[Any]] = []
    rows_iter = source()
    for number, cells in enumerate(rows_iter, start=1):
        _check_cells(cells, number, offset, max_cell)
        rows.append(cells)
        if number >= HEADER_SEARCH_ROWS:
            break
    if all(_is_blank(cells) for cells in rows) and all(_is_blank(cells) for cells in rows_iter):
        raise _empty()
    close = getattr(rows_iter, "close", None)
    if close is not None:
        close()

    matches = [_matches(cells, lookup) for cells in rows]
    candidates = [_header_cells(rows, i, matches) for i in range(len(rows))]
    required = [c for c in columns if c.required]
    best: int | None = None
    best_any: int | None = None
    for i, found in enumerate(candidates):
        names = set(found.values())
        if best_any is None or len(names) > len(set(candidates[best_any].values())):
            best_any = i
        if names and all(c.field in names for c in required):
            if best is None or len(names) > len(set(candidates[best].values())):
                best = i
    if best is None:
        raise _no_header(columns, set(candidates[best_any].values()) if best_any is not None else set())

    found = candidates[best]
    by_field: dict[str, int] = {}
    for index in sorted(found):
        name = found[index]
        if name in by_field:
            label = next(c.label for c in columns if c.field == name)
            raise ReadError(
                _(
                    "The column “%(header)s” appears twice in the header row "
                    "(columns %(first)s and %(second)s)."
                )
                % {
                    "header": label,
                    "first": _column_letter(offset + by_field[name]),
                    "second": _column_letter(offset + index),
                },
                code="duplicate",
            )
        by_field[name] = index

    # The header as written, with the text of vertically merged header cells taken from above.
    written = list(rows[best])
    for index in found:
        if index >= len(written) or _is_empty(written[index]):
            written.extend([""] * (index + 1 - len(written)))
            written[index] = rows[best - 1][index]

    # A second header row right below (a bilingual template: Chinese above, English below) is not data.
    first_data = best + 1
    while first_data < len(rows) and _repeats_header(rows[first_data], found, lookup):
        first_data += 1
    return best + 1, first_data + 1, found, written


def _repeats_header(cells: list[Any], found: dict[int, str], lookup: dict[str, str]) -> bool:
    """Whether a row only holds header texts, each under the header of the same field."""
    seen = False
    for index, name in found.items():
        if index < len(cells) and not _is_empty(cells[index]):
            if lookup.get(_header_key(cells[index])) != name:
                return False
            seen = True
    return seen


def _no_header(columns: list[Column], found: set[str]) -> ReadError:
    """The error when no row has the required columns: which are missing, which headers are expected."""
    expected = ", ".join(c.label for c in columns)
    missing = [c.label for c in columns if c.required and c.field not in found]
    if not missing:
        message = _("No header row found in the first %(rows)s rows. Expected headers: %(expected)s.") % {
            "rows": HEADER_SEARCH_ROWS,
            "expected": expected,
        }
    else:
        message = ngettext(
            "No header row found: the column %(missing)s is missing. Expected headers: %(expected)s.",
            "No header row found: the columns %(missing)s are missing. Expected headers: %(expected)s.",
            len(missing),
        ) % {"missing": ", ".join(missing), "expected": expected}
    return ReadError(message, code="header")


# --------------------------------------------------------------------------------------------------
# The file: bytes, format, encoding


class _Window(io.RawIOBase):
    """A reader of a seekable binary file with a position of its own, so that several readers of the
    same uploaded file (the format sniffing, the header search, the rows) never disturb each other.
    Closing it leaves the file open: it belongs to the caller."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__()
        self._file = file
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += self._file.seek(0, io.SEEK_END)
        if offset < 0:
            raise ValueError("negative seek position")
        self._position = offset
        return offset

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: Any) -> int:
        self._file.seek(self._position)
        data = self._file.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._position += n
        return n


class _File:
    """The uploaded file: a path, or a seekable binary file object (spooled to disk if not seekable)."""

    def __init__(self, path_or_file: Any) -> None:
        self.path: str | None = None
        self.file: IO[bytes] | None = None
        if isinstance(path_or_file, str | os.PathLike):
            self.path = os.fspath(path_or_file)
        elif callable(getattr(path_or_file, "temporary_file_path", None)):
            # A large Django upload already on disk: calamine reads it by path.
            self.path = path_or_file.temporary_file_path()
        elif _seekable(path_or_file):
            self.file = path_or_file
        else:
            spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
            shutil.copyfileobj(path_or_file, spool, _CHUNK)
            spool.seek(0)
            self.file = spool

    def open(self) -> IO[bytes]:
        """A fresh binary reader positioned at the start; close it after use."""
        if self.path is not None:
            return open(self.path, "rb")  # the caller closes it
        assert self.file is not None
        return io.BufferedReader(_Window(self.file), _SAMPLE)

    def head(self, size: int = _SAMPLE) -> bytes:
        with self.open() as f:
            return f.read(size)

    def chunks(self) -> Iterator[bytes]:
        with self.open() as f:
            while chunk := f.read(_CHUNK):
                yield chunk

    def contains(self, needles: Iterable[bytes]) -> bool:
        """Whether any of the byte strings occurs in the file (read in chunks, overlapping)."""
        needles = tuple(needles)
        overlap = max(len(n) for n in needles) - 1
        tail = b""
        for chunk in self.chunks():
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            tail = window[-overlap:]
        return False

    def decodes(self, encoding: str) -> bool:
        """Whether the whole file decodes in ``encoding`` (checked in chunks)."""
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            for chunk in self.chunks():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True


def _seekable(file: Any) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def open_sheet(
    path_or_file: Any,
    name: str,
    columns: list[Column],
    *,
    max_rows: int = MAX_ROWS,
    max_cell: int = MAX_CELL,
) -> Sheet:
    """Open an uploaded spreadsheet, find its header row and map ``columns`` onto it.

    ``path_or_file`` is a path or a binary file object (a Django upload will do); ``name`` is the name
    the file was uploaded under, used only to recognise a password-protected xlsx — the format is
    decided from the file's first bytes. xlsx, xlsm, xlsb, xls and ods are read with calamine (the
    first sheet, after any leading instructions sheet such as "说明" and skipping hidden sheets); CSV
    may be UTF-8 (with or without BOM), GB18030 or UTF-16 with BOM, separated by commas, tabs or
    semicolons. Raises :class:`ReadError` for an empty file, a file that is not a spreadsheet, a
    password-protected workbook, or a header row that cannot be found.
    """
    _lookup(columns)  # a bad column list is the caller's error: fail before reading the file
    kind, sheet_name, source, offset = _open_source(path_or_file, name)
    header_row, first_data_row, found, written = _find_header(source, columns, offset, max_cell)
    headers = [""] * offset + [_cell_text(v) for v in written]
    while headers and not headers[-1]:
        headers.pop()
    unknown = [
        _cell_text(v) for i, v in enumerate(written) if i not in found and not _is_empty(v) and _cell_text(v)
    ]
    return Sheet(
        header_row=header_row,
        columns={name: offset + index for index, name in sorted(found.items())},
        headers=headers,
        unknown=unknown,
        kind=kind,
        sheet_name=sheet_name,
        _source=source,
        _column_offset=offset,
        _first_data_row=first_data_row,
        _max_rows=max_rows,
        _max_cell=max_cell,
    )


def raw_rows(path_or_file: Any, name: str) -> Iterator[list[Any]]:
    """Every row of the sheet :func:`open_sheet` reads, as the file holds it (values not normalised,
    blank rows included): the n-th list is spreadsheet row n + 1 and a cell's index is its column
    index in the file. For giving a rejected file back with its problems marked. The file is opened
    (and a :class:`ReadError` raised) at once; the rows are streamed."""
    _kind, _sheet_name, source, offset = _open_source(path_or_file, name)
    pad = [""] * offset

    def rows() -> Iterator[list[Any]]:
        for cells in source():
            yield pad + list(cells) if pad else list(cells)

    return rows()


def match_header(columns: Iterable[Column], text: Any) -> Column | None:
    """The column a header cell names (matched as :func:`open_sheet` matches them), or None."""
    key = _header_key(text)
    if not key:
        return None
    for column in columns:
        if any(_header_key(header) == key for header in column.headers):
            return column
    return None


def _open_source(path_or_file: Any, name: str) -> tuple[str, str | None, _RowSource, int]:
    """Recognise the file's format from its first bytes and open it: (kind, sheet name, row source,
    index of the first column the rows start at)."""
    source_file = _File(path_or_file)
    head = source_file.head()
    if not head:
        raise _empty()
    if head.startswith(_ZIP_MAGIC):
        return _open_workbook(source_file, zip_kind=_zip_kind(source_file))
    if head.startswith(_OLE2_MAGIC):
        if (name or "").lower().endswith(_PASSWORD_NAMES) or source_file.contains(_ENCRYPTED_STREAMS):
            raise _password()
        return _open_workbook(source_file, zip_kind="xls")
    return "csv", None, _open_csv(source_file, head), 0


def _zip_kind(source_file: _File) -> str:
    """What a ZIP file holds: "xlsx", "xlsb" or "ods"; anything else (a docx, an archive) is refused."""
    try:
        with source_file.open() as f, zipfile.ZipFile(f) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged() from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names:
        return "ods"
    raise _not_spreadsheet()


def _open_workbook(source_file: _File, zip_kind: str) -> tuple[str, str | None, _RowSource, int]:
    """Open a workbook with calamine: (kind, sheet name, row source, index of its first column)."""
    try:
        if source_file.path is not None:
            workbook = CalamineWorkbook.from_path(source_file.path)
        else:
            with source_file.open() as f:
                workbook = CalamineWorkbook.from_filelike(f)
        index = _data_sheet_index(workbook)
        sheet = workbook.get_sheet_by_index(index)
    except PasswordError as exc:
        raise _password() from exc
    except CalamineError as exc:
        if zip_kind == "xls":
            raise _not_spreadsheet() from exc
        raise _damaged() from exc
    except (OSError, ValueError) as exc:
        raise _damaged() from exc

    # The sheet's range starts at its first non-empty cell. iter_rows() pads the rows above it
    # (so a row's position is its number) but not the columns to its left: remember their count.
    start = sheet.start
    offset = start[1] if start else 0

    def source() -> Iterator[list[Any]]:
        _keep = workbook  # keeps the workbook alive as long as the sheet is read
        try:
            yield from sheet.iter_rows()
        except CalamineError as exc:
            raise _damaged() from exc

    # The last row of the used range (iter_rows pads the rows above its start).
    source.total = (start[0] if start else 0) + sheet.height  # type: ignore[attr-defined]
    return zip_kind, workbook.sheet_names[index], source, offset


def _data_sheet_index(workbook: Any) -> int:
    """The sheet to read: the first visible worksheet that is not an instructions sheet ("说明")."""
    names: list[str] = list(workbook.sheet_names)
    if not names:
        raise _empty()
    try:
        visible = [
            i
            for i, meta in enumerate(workbook.sheets_metadata)
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ]
    except (AttributeError, TypeError, CalamineError):  # a nicety: without it, every sheet is a candidate
        visible = []
    candidates = visible or list(range(len(names)))
    for i in candidates:
        key = "".join(unicodedata.normalize("NFKC", names[i]).split()).casefold()
        if not any(word in key for word in _INSTRUCTION_SHEETS):
            return i
    return candidates[0]


def _open_csv(source_file: _File, head: bytes) -> _RowSource:
    """Check that a file is CSV text, find its encoding and delimiter, and return its row source."""
    if head.startswith(_BINARY_MAGIC):
        raise _not_spreadsheet()
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in head:
        raise _not_spreadsheet()
    elif source_file.decodes("utf-8"):
        encoding = "utf-8-sig"  # drops a BOM when there is one
    elif source_file.decodes("gb18030"):
        encoding = "gb18030"
    else:
        encoding = ""

    complete = len(head) < _SAMPLE
    try:
        decoder = codecs.getincrementaldecoder(encoding or "gb18030")("strict")
        sample = decoder.decode(head, final=complete)
    except UnicodeDecodeError as exc:
        raise _not_spreadsheet() from exc
    if not encoding:
        # Text at the start, undecodable further on.
        raise ReadError(
            _("The text file is neither UTF-8 nor GB18030; save it as “CSV UTF-8” and upload it again."),
            code="encoding",
        )
    if encoding == "utf-16" and not source_file.decodes("utf-16"):
        raise _not_spreadsheet()
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0b\x0c\x1a")
    if controls * 200 > len(sample):
        raise _not_spreadsheet()
    if sample.lstrip("\ufeff \t\r\n").startswith("<"):
        raise ReadError(
            _(
                "This file is a web page or XML document, not a spreadsheet; open it in Excel, "
                "save it as xlsx and upload it again."
            ),
            code="format",
        )
    if not complete:
        sample = sample[: sample.rfind("\n") + 1] or sample
    delimiter = _guess_delimiter(sample)

    def source() -> Iterator[list[Any]]:
        with source_file.open() as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            reader = csv.reader(text, delimiter=delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, start=1):  # noqa: B007 - read in except
                    yield cells
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ReadError(
                    _("Row %(row)s cannot be read: the CSV text is malformed.") % {"row": number + 1},
                    code="csv",
                ) from exc
            finally:
                text.detach()

    # Lines, counted in the bytes (a newline is one byte in UTF-8 and GB18030, two in UTF-16).
    newline = (
        "\n".encode("utf-16-be" if head.startswith(codecs.BOM_UTF16_BE) else "utf-16-le")
        if (encoding == "utf-16")
        else b"\n"
    )
    tail = b""
    lines = 0
    for chunk in source_file.chunks():
        lines += chunk.count(newline)
        tail = chunk[-len(newline) :]
    source.total = lines + (0 if tail == newline else 1)  # type: ignore[attr-defined]
    return source


def _guess_delimiter(sample: str) -> str:
    """The delimiter among , tab ; that splits the sample's rows most consistently into several cells."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths: dict[int, int] = {}
        try:
            for cells in csv.reader(io.StringIO(sample), delimiter=delimiter):
                if len(cells) > 1 and not _is_blank(cells):
                    widths[len(cells)] = widths.get(len(cells), 0) + 1
        except csv.Error:
            pass
        if widths:
            width, rows = max(widths.items(), key=lambda item: (item[1], item[0]))
            score = (rows, width)
            if score > best_score:
                best, best_score = delimiter, score
    return best


# --------------------------------------------------------------------------------------------------
# Values


def _show(value: Any) -> str:
    """A value as a message quotes it: as text, cut short."""
    text = _cell_text(value) if not isinstance(value, str) else value.strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 9999-12-31
_TIME = r"(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_FORMS = (
    re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})" + _TIME),
    re.compile(r"(\d{4})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?" + _TIME),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")


def _not_a_date(value: Any) -> ValueError:
    return ValueError(_("“%(value)s” is not a date (write dates like 2018-06-01).") % {"value": _show(value)})


def _from_serial(serial: float | int | decimal.Decimal, value: Any) -> datetime.date:
    """A date from an Excel serial number (1900 date system, with its fictitious 1900-02-29)."""
    if not (1 <= serial <= _MAX_SERIAL):
        raise _not_a_date(value)
    days = int(serial)
    if days == 60:
        raise _not_a_date(value)
    if days < 60:
        return datetime.date(1899, 12, 31) + datetime.timedelta(days=days)
    return _EXCEL_EPOCH + datetime.timedelta(days=days)


def parse_date(value: Any) -> datetime.date | None:
    """Read a date: a date or datetime cell, an Excel serial number (43252 → 2018-06-01) or text such
    as 2018-06-01, 2018/6/1, 2018.6.1, 2018年6月1日, 20180601 (full-width digits too; a time after the
    date is ignored). None or empty gives None; anything else raises :class:`ValueError`."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise _not_a_date(value)
    if isinstance(value, int | decimal.Decimal) or (isinstance(value, float) and math.isfinite(value)):
        return _from_serial(value, value)
    if not isinstance(value, str):
        raise _not_a_date(value)
    text = _text(value)
    if not text:
        return None
    if _SERIAL_TEXT.fullmatch(text):
        return _from_serial(float(text), value)
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            year, month, day = int(match[1]), int(match[3]), int(match[4])
            if year < 1900:
                raise _not_a_date(value)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise _not_a_date(value) from None
    raise _not_a_date(value)


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def _not_a_number(value: Any) -> ValueError:
    return ValueError(_("“%(value)s” is not a number.") % {"value": _show(value)})


def parse_decimal(value: Any) -> decimal.Decimal | None:
    """Read a number exactly: ints, floats (by their shortest repr, so 0.1 → Decimal("0.1")), and text
    with thousands separators (58,660,000, ５８，６６０, 1 234.5) or an exponent. None or empty gives
    None; NaN, infinity and anything else raise :class:`ValueError`."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _not_a_number(value)
    if isinstance(value, int):
        return decimal.Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_a_number(value)
        return decimal.Decimal(repr(value))
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise _not_a_number(value)
        return value
    if not isinstance(value, str):
        raise _not_a_number(value)
    text = _text(value).replace("\u2212", "-")
    if not text:
        return None
    # Spaces inside are thousands separators, like commas: "1 234.5" is 1234.5 but "12 5" is refused.
    text = ",".join(text.split())
    if "," in text:
        if not _GROUPED_NUMBER.fullmatch(text):
            raise _not_a_number(value)
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise _not_a_number(value)
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise _not_a_number(value) from None


def parse_int(value: Any) -> int | None:
    """Read a whole number, in the forms :func:`parse_decimal` accepts ("12.0" → 12; "12.5" is refused)."""
    try:
        number = parse_decimal(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": _show(value)}) from None
    if number is None:
        return None
    if number.adjusted() > 30:
        raise ValueError(_("“%(value)s” is too large.") % {"value": _show(value)})
    if number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": _show(value)})
    return int(number)


def parse_text(value: Any, max_length: int | None = None) -> str | None:
    """Read text: NFKC-normalised, stripped at both ends (spaces inside are kept). A whole number read
    as a float comes back without ".0" (a credit code or phone number: 12345.0 → "12345"); dates in ISO
    form. None or empty gives None; text longer than ``max_length`` raises :class:`ValueError`."""
    if value is None:
        return None
    if isinstance(value, str):
        text = _text(value)
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("“%(value)s” is not text.") % {"value": value})
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    elif isinstance(value, decimal.Decimal):
        text = format(value, "f")
    else:
        text = _text(str(value))
    if not text:
        return None
    if max_length is not None and len(text) > max_length:
        raise ValueError(
            _("Too long: at most %(limit)s characters, this has %(length)s.")
            % {"limit": _limit(max_length), "length": _limit(len(text))}
        )
    return text


def _fold(text: str) -> str:
    """The form choices and yes/no answers are compared in: NFKC, case-folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _pairs(choices: Any) -> list[tuple[Any, Any]]:
    """(value, label) pairs from a Django choices class or a list of pairs (option groups flattened)."""
    pairs = getattr(choices, "choices", choices)
    flat: list[tuple[Any, Any]] = []
    for stored, label in pairs:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((stored, label))
    return flat


def _languages() -> list[str]:
    """The languages a choice's label is recognised in: English, Simplified Chinese, the site's others."""
    codes = ["en", "zh-hans", *(code for code, _name in getattr(settings, "LANGUAGES", ()))]
    current = get_language()
    if current:
        codes.append(current)
    return list(dict.fromkeys(codes))


@functools.lru_cache(maxsize=256)
def _choice_index(choices: type, languages: tuple[str, ...]) -> dict[str, Any]:
    return _build_choice_index(_pairs(choices), languages)


def _build_choice_index(pairs: list[tuple[Any, Any]], languages: Iterable[str]) -> dict[str, Any]:
    """Folded value or label (in each language) → stored value; the stored values win over labels."""
    index: dict[str, Any] = {}
    for language in languages:
        with override(language):
            for stored, label in pairs:
                index.setdefault(_fold(str(label)), stored)
    for stored, _label in pairs:
        index[_fold(str(stored))] = stored
    return index


def parse_choice(value: Any, choices: Any) -> Any:
    """Read one of ``choices`` (a Django ``TextChoices`` class or a list of (value, label) pairs): the
    stored value, or the label in English or Chinese, whatever the case. Returns the stored value;
    None or empty gives None; anything else raises :class:`ValueError` listing the accepted labels."""
    text = parse_text(value)
    if text is None:
        return None
    languages = tuple(_languages())
    if isinstance(choices, type):
        index = _choice_index(choices, languages)
    else:
        index = _build_choice_index(_pairs(choices), languages)
    key = _fold(text)
    if key in index:
        return index[key]
    labels = ", ".join(str(label) for _stored, label in _pairs(choices))
    raise ValueError(_("“%(value)s” is not one of: %(choices)s.") % {"value": _show(text), "choices": labels})


_BOOLEANS = {
    **dict.fromkeys(("是", "有", "yes", "y", "true", "1", "√", "✓", "✔", "对", "對"), True),
    **dict.fromkeys(("否", "无", "無", "没有", "沒有", "no", "n", "false", "0", "×", "✗", "✘"), False),
}


def parse_bool(value: Any) -> bool | None:
    """Read a yes/no answer: 是/否, 有/无, yes/no, y/n, true/false, 1/0, √/×. None or empty gives None;
    anything else raises :class:`ValueError`."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        if value == 1:
            return True
        if value == 0:
            return False
    elif isinstance(value, str):
        key = _fold(value)
        if not key:
            return None
        if key in _BOOLEANS:
            return _BOOLEANS[key]
    raise ValueError(_("“%(value)s” is not yes or no.") % {"value": _show(value)})
