"""Reading uploaded spreadsheets (uplift.imports.reading): formats, header detection, streaming, limits,
and the value parsers."""

from __future__ import annotations

import codecs
import datetime
import decimal
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils.translation import gettext_lazy, override
from hypothesis import given
from hypothesis import strategies as st

from uplift.delivery.choices import Severity
from uplift.imports.reading import (
    Column,
    ReadError,
    Row,
    Sheet,
    match_header,
    open_sheet,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    raw_rows,
)

D = decimal.Decimal
JUNE_1 = datetime.date(2018, 6, 1)

COLUMNS = [
    Column("name", ("企业名称", "Company name", "Enterprise"), required=True),
    Column(
        "credit_code",
        ("统一社会信用代码", "Unified social credit code", "credit code", "USCC"),
        required=True,
    ),
    Column("founded", ("成立日期", "Date founded")),
    Column("capital", ("注册资本", "Registered capital")),
    Column("staff", ("职工人数", "Employees")),
]


# --------------------------------------------------------------------------------------------------
# Building files


def write_xlsx(path: Path, rows: list[list[Any]], *, build: Any = None, sheet: str = "企业") -> Path:
    """An xlsx whose first sheet holds ``rows`` from A1 (None leaves a cell blank); ``build(book, ws)``
    may add more (merged cells, formats, other sheets)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                ws.write(r, c, value)
    if build is not None:
        build(book, ws)
    book.close()
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_ods(path: Path, rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no ods writer is installed)."""

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, datetime.date):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
            )
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def read(path_or_file: Any, name: str = "upload.xlsx", columns: list[Column] = COLUMNS, **kw: Any):
    """The sheet and its rows, as lists."""
    sheet = open_sheet(path_or_file, name, columns, **kw)
    return sheet, list(sheet.rows())


def read_error(
    path_or_file: Any, name: str = "upload", columns: list[Column] = COLUMNS, **kw: Any
) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read(path_or_file, name, columns, **kw)
    return caught.value


HEADER = ["企业名称", "统一社会信用代码", "成立日期", "注册资本", "职工人数"]


# --------------------------------------------------------------------------------------------------
# xlsx


def test_xlsx_with_a_merged_title_row_dates_and_numbers_as_text(tmp_path):
    def build(book, ws):
        ws.merge_range(0, 0, 0, 5, "2018年湖北省企业名单", book.add_format({"bold": True}))
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_datetime(3, 3, datetime.datetime(2018, 6, 1), day)
        ws.write_datetime(4, 3, datetime.datetime(2019, 12, 31), day)

    # Shuffled columns, stray spaces, required markers, an unknown column; row 2 blank.
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [],
            [],
            ["序号", " 统一社会 信用代码* ", "企业名称（必填）", "成立日期", "注册资本：", "职工人数"],
            [1, "91420100MA4KX0TQ1U", "武汉甲公司", None, "58,660,000", "１２"],
            [2.0, "９１４２０１００MA4KX0TQ2V", "Ｂ公司　", None, 1234.5, "0"],
        ],
        build=build,
    )
    sheet, rows = read(path, "a.xlsx")
    assert isinstance(sheet, Sheet)
    assert (sheet.header_row, sheet.kind, sheet.sheet_name) == (3, "xlsx", "企业")
    assert sheet.columns == {"credit_code": 1, "name": 2, "founded": 3, "capital": 4, "staff": 5}
    assert sheet.headers == [
        "序号",
        "统一社会 信用代码*",
        "企业名称（必填）",
        "成立日期",
        "注册资本：",
        "职工人数",
    ]
    assert sheet.unknown == ["序号"]
    assert [r.number for r in rows] == [4, 5]
    assert all(isinstance(r, Row) for r in rows)
    first, second = (r.values for r in rows)
    assert first == {
        "credit_code": "91420100MA4KX0TQ1U",
        "name": "武汉甲公司",
        "founded": JUNE_1,
        "capital": "58,660,000",
        "staff": "12",  # full-width digits, normalised
    }
    assert second["credit_code"] == "91420100MA4KX0TQ2V"
    assert second["name"] == "B公司"  # NFKC, and the ideographic space stripped
    assert second["founded"] == datetime.date(2019, 12, 31)
    assert parse_decimal(first["capital"]) == 58_660_000
    assert parse_decimal(second["capital"]) == D("1234.5")
    assert parse_int(first["staff"]) == 12


def test_xlsx_datetime_cells_and_date_serials(tmp_path):
    def build(book, ws):
        ws.write_datetime(
            1, 2, datetime.datetime(2018, 6, 1, 14, 30), book.add_format({"num_format": "yyyy-m-d h:mm"})
        )
        ws.write_number(2, 2, 43252)  # a date typed in a General cell: its serial number

    path = write_xlsx(tmp_path / "d.xlsx", [HEADER[:3], ["甲", "1", None], ["乙", "2", None]], build=build)
    _sheet, rows = read(path)
    assert [parse_date(r.values["founded"]) for r in rows] == [JUNE_1, JUNE_1]


def test_two_row_header_with_group_cells_and_vertical_merges(tmp_path):
    def build(book, ws):
        ws.merge_range(0, 0, 0, 3, "2018年企业名单")
        ws.merge_range(1, 0, 2, 0, "序号")
        ws.merge_range(1, 1, 2, 1, "企业名称")  # the header is in the group row, merged down
        ws.merge_range(1, 2, 1, 3, "企业信息")
        ws.write_row(2, 2, ["统一社会信用代码", "成立日期"])
        ws.write_row(3, 0, [1, "甲公司", "91420100MA4KX0TQ1U", "2018年6月1日"])

    path = write_xlsx(tmp_path / "two.xlsx", [], build=build)
    sheet, rows = read(path)
    assert sheet.header_row == 3
    assert sheet.columns == {"name": 1, "credit_code": 2, "founded": 3}
    assert sheet.headers == ["", "企业名称", "统一社会信用代码", "成立日期"]
    assert rows == [
        Row(4, {"name": "甲公司", "credit_code": "91420100MA4KX0TQ1U", "founded": "2018年6月1日"})
    ]


def test_two_row_header_where_every_header_is_in_the_lower_row(tmp_path):
    def build(book, ws):
        ws.merge_range(0, 0, 0, 1, "企业信息")
        ws.merge_range(0, 2, 0, 3, "规模")

    path = write_xlsx(
        tmp_path / "g.xlsx",
        [[], ["企业名称", "统一社会信用代码", "注册资本", "职工人数"], ["甲", "91", 100, 5]],
        build=build,
    )
    sheet, rows = read(path)
    assert sheet.header_row == 2
    assert sheet.unknown == []
    assert rows[0].number == 3
    assert rows[0].values == {"name": "甲", "credit_code": "91", "capital": 100, "staff": 5}


def test_english_headers_any_case_and_width(tmp_path):
    path = write_xlsx(
        tmp_path / "en.xlsx",
        [
            ["Remarks", "ＵＳＣＣ", "company  NAME *", "Date Founded:", "employees (required)"],
            ["ok", "91420100MA4KX0TQ1U", "Acme Ltd.", "2018/6/1", 12],
        ],
    )
    sheet, rows = read(path)
    assert sheet.header_row == 1
    assert sheet.columns == {"credit_code": 1, "name": 2, "founded": 3, "staff": 4}
    assert sheet.unknown == ["Remarks"]
    assert rows[0].values == {
        "credit_code": "91420100MA4KX0TQ1U",
        "name": "Acme Ltd.",
        "founded": "2018/6/1",
        "staff": 12,
    }


def test_empty_rows_are_skipped_but_counted(tmp_path):
    path = write_xlsx(
        tmp_path / "e.xlsx",
        [HEADER[:2], ["甲", "1"], [], [None, "   "], ["乙", "2"], [], []],
        build=lambda book, ws: ws.write_string(2, 0, ""),
    )
    _sheet, rows = read(path)
    assert [(r.number, r.values["name"]) for r in rows] == [(2, "甲"), (5, "乙")]


def test_a_sheet_starting_further_right_keeps_the_files_column_indices(tmp_path):
    def build(book, ws):
        ws.write_row(3, 2, HEADER[:2])
        ws.write_row(4, 2, ["甲", "1"])

    sheet, rows = read(write_xlsx(tmp_path / "r.xlsx", [], build=build))
    assert sheet.header_row == 4
    assert sheet.columns == {"name": 2, "credit_code": 3}
    assert sheet.headers == ["", "", "企业名称", "统一社会信用代码"]
    assert rows == [Row(5, {"name": "甲", "credit_code": "1"})]


def test_a_bilingual_template_second_header_row_is_not_data(tmp_path):
    path = write_xlsx(
        tmp_path / "bi.xlsx",
        [HEADER[:2], ["Company name", "USCC"], ["甲", "1"]],
    )
    sheet, rows = read(path)
    assert sheet.header_row == 1
    assert [r.number for r in rows] == [3]


def test_instructions_and_hidden_sheets_are_skipped(tmp_path):
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("填表说明").write(0, 0, "企业名称 must be filled in")
    lists = book.add_worksheet("字典")
    lists.write(0, 0, "企业名称")
    data = book.add_worksheet("Data")
    data.write_row(0, 0, HEADER[:2])
    data.write_row(1, 0, ["甲", "1"])
    data.activate()
    lists.hide()
    book.close()
    sheet, rows = read(path)
    assert sheet.sheet_name == "Data"
    assert rows == [Row(2, {"name": "甲", "credit_code": "1"})]


def test_the_first_sheet_is_read_when_no_instructions_come_first(tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("名单").write_row(0, 0, HEADER[:2])
    book.add_worksheet("Instructions").write(0, 0, "…")
    book.close()
    sheet, rows = read(path)
    assert (sheet.sheet_name, rows) == ("名单", [])


def test_formula_cells_give_their_cached_value(tmp_path):
    def build(book, ws):
        ws.write_formula(1, 2, "=1+1", None, 2)

    _sheet, rows = read(write_xlsx(tmp_path / "f.xlsx", [HEADER[:3] + ["x"], ["甲", "1"]], build=build))
    assert rows[0].values["founded"] == 2


@pytest.mark.parametrize("kind", ["simple", "temporary", "stream", "bytesio"])
def test_uploaded_files_and_streams(tmp_path, kind):
    data = write_xlsx(tmp_path / "u.xlsx", [HEADER[:2], ["甲", "1"]]).read_bytes()
    if kind == "simple":
        upload: Any = SimpleUploadedFile("名单.xlsx", data)
    elif kind == "temporary":
        upload = TemporaryUploadedFile("名单.xlsx", "application/octet-stream", len(data), None)
        upload.write(data)
        upload.seek(0)
    elif kind == "bytesio":
        upload = io.BytesIO(data)
    else:

        class Stream(io.RawIOBase):  # readable, not seekable
            def __init__(self) -> None:
                self.data = io.BytesIO(data)

            def readable(self) -> bool:
                return True

            def readinto(self, b: Any) -> int:
                chunk = self.data.read(len(b))
                b[: len(chunk)] = chunk
                return len(chunk)

        upload = Stream()
    sheet, rows = read(upload, "名单.xlsx")
    assert rows == [Row(2, {"name": "甲", "credit_code": "1"})]
    assert list(sheet.rows()) == rows  # read again from the top


# --------------------------------------------------------------------------------------------------
# ods


def test_ods(tmp_path):
    path = write_ods(
        tmp_path / "a.ods",
        [
            ["2018年名单"],
            [],
            ["统一社会信用代码", "企业名称", "成立日期", "注册资本"],
            ["91", "甲", JUNE_1, 12.5],
        ],
    )
    sheet, rows = read(path, "a.ods")
    assert (sheet.kind, sheet.header_row) == ("ods", 3)
    assert rows == [Row(4, {"credit_code": "91", "name": "甲", "founded": JUNE_1, "capital": 12.5})]


# --------------------------------------------------------------------------------------------------
# csv

CSV = (
    "2018年湖北省企业名单,,,\n"
    "企业名称,统一社会信用代码,成立日期,注册资本\n"
    '武汉甲公司,91420100MA4KX0TQ1U,2018年6月1日,"58,660,000"\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    sheet, rows = read(write_csv(tmp_path / "a.csv", CSV, encoding), "a.csv")
    assert (sheet.kind, sheet.header_row) == ("csv", 2)
    assert sheet.headers == ["企业名称", "统一社会信用代码", "成立日期", "注册资本"]
    assert rows == [
        Row(
            3,
            {
                "name": "武汉甲公司",
                "credit_code": "91420100MA4KX0TQ1U",
                "founded": "2018年6月1日",
                "capital": "58,660,000",
            },
        )
    ]


def test_gb18030_chinese_round_trips_whatever_the_extension(tmp_path):
    text = "企业名称,统一社会信用代码\n湖北省鄂州市華容區測試企業,1\n"
    _sheet, rows = read(write_csv(tmp_path / "名单.xls", text, "gb18030"), "名单.xls")
    assert rows[0].values["name"] == "湖北省鄂州市華容區測試企業"


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_csv_delimiters(tmp_path, delimiter):
    lines = [["企业名称", "统一社会信用代码", "注册资本"], ["甲", "1", "58,660,000"], ["乙", "2", "1,234.5"]]
    if delimiter == ",":
        lines = [[f'"{c}"' if "," in c else c for c in line] for line in lines]
    text = "".join(delimiter.join(line) + "\r\n" for line in lines)
    _sheet, rows = read(write_csv(tmp_path / "t.txt", text), "t.txt")
    assert [r.values["capital"] for r in rows] == ["58,660,000", "1,234.5"]


def test_csv_row_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path):
    text = '企业名称,统一社会信用代码\n"甲\n公司",1\n\n,\n乙,2\n'
    _sheet, rows = read(write_csv(tmp_path / "n.csv", text), "n.csv")
    assert [(r.number, r.values["name"]) for r in rows] == [(2, "甲\n公司"), (5, "乙")]


def test_csv_short_rows_give_none(tmp_path):
    _sheet, rows = read(write_csv(tmp_path / "s.csv", "企业名称,统一社会信用代码,注册资本\n甲\n"), "s.csv")
    assert rows == [Row(2, {"name": "甲", "credit_code": None, "capital": None})]


def test_csv_upload(tmp_path):
    upload = SimpleUploadedFile("a.csv", CSV.encode("gb18030"))
    sheet, rows = read(upload, "a.csv")
    assert rows[0].values["name"] == "武汉甲公司"
    assert list(sheet.rows()) == rows


# --------------------------------------------------------------------------------------------------
# Files refused


def test_an_empty_file(tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"")
    error = read_error(path)
    assert isinstance(error, ValidationError)
    assert (error.message, error.code, str(error)) == ("The file is empty.", "empty", "The file is empty.")


@pytest.mark.parametrize("text", ["\n\n", ",,,\r\n , ,\r\n", "\ufeff", "\t\n"])
def test_a_csv_without_any_value_is_empty(tmp_path, text):
    assert read_error(write_csv(tmp_path / "e.csv", text)).message == "The file is empty."


def test_a_workbook_without_any_value_is_empty(tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", [], build=lambda book, ws: ws.write_blank(3, 3, None))
    assert read_error(path).message == "The file is empty."


NOT_A_SPREADSHEET = "This is not a spreadsheet (xlsx, xls, ods or csv)."
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63"
)


@pytest.mark.parametrize(
    "data",
    [
        PNG,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        bytes(range(256)) * 8,  # random-looking binary, NULs included
        b"\x01\x02\x03\x04\x05\x06\x07\x08" * 100,  # control bytes, no NUL
        b"\x80\x81\xfe\xff" * 50,  # neither UTF-8 nor GB18030
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"not a workbook",  # OLE2, a Word file say
    ],
    ids=["png", "pdf", "binary", "controls", "undecodable", "ole2"],
)
def test_not_a_spreadsheet(tmp_path, data):
    path = tmp_path / "x.xls"
    path.write_bytes(data)
    error = read_error(path, "x.xls")
    assert (error.message, error.code) == (NOT_A_SPREADSHEET, "format")


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert read_error(path, "a.xlsx").message == NOT_A_SPREADSHEET


def test_a_truncated_xlsx_is_damaged(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER[:2]])
    path.write_bytes(path.read_bytes()[:400])
    assert read_error(path).code == "damaged"


def test_a_web_page_saved_as_xls(tmp_path):
    path = write_csv(
        tmp_path / "export.xls", "<html><body><table><tr><td>企业名称</td></tr></table></body></html>"
    )
    error = read_error(path, "export.xls")
    assert error.code == "format"
    assert "web page" in error.message


ENCRYPTED = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    + b"\x00" * 1000
    + "EncryptionInfo".encode("utf-16-le")
    + b"\x00" * 50
    + "EncryptedPackage".encode("utf-16-le")
    + b"\x00" * 100
)
PASSWORD = "The workbook is password-protected; save it without a password and upload again."


@pytest.mark.parametrize("name", ["名单.xlsx", "upload.bin", "名单.xls"])
def test_a_password_protected_xlsx(tmp_path, name):
    path = tmp_path / "p"
    path.write_bytes(ENCRYPTED)
    error = read_error(path, name)
    assert (error.message, error.code) == (PASSWORD, "password")


def test_an_ole2_file_named_xlsx_is_taken_for_an_encrypted_one(tmp_path):
    path = tmp_path / "p"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert read_error(path, "REPORT.XLSX").code == "password"


def test_the_encryption_marker_is_found_across_read_chunks(tmp_path):
    path = tmp_path / "p"
    marker = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * (1024 * 1024 - 8 - 10) + marker)
    assert read_error(path, "p.bin").code == "password"


def test_no_recognisable_header(tmp_path):
    path = write_xlsx(tmp_path / "n.xlsx", [["名单"], ["甲", "1"], ["乙", "2"]])
    error = read_error(path)
    assert error.code == "header"
    assert error.message == (
        "No header row found: the columns 企业名称, 统一社会信用代码 are missing. "
        "Expected headers: 企业名称, 统一社会信用代码, 成立日期, 注册资本, 职工人数."
    )


def test_no_header_without_required_columns(tmp_path):
    columns = [Column("a", ("甲",)), Column("b", ("乙",))]
    error = read_error(write_csv(tmp_path / "n.csv", "x,y\n1,2\n"), columns=columns)
    assert error.message == "No header row found in the first 20 rows. Expected headers: 甲, 乙."


def test_a_missing_required_column_is_named(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [["企业名称", "成立日期", "注册资本"], ["甲", "2018-06-01", 1]])
    error = read_error(path)
    assert error.message.startswith(
        "No header row found: the column 统一社会信用代码 is missing. Expected headers: "
    )
    assert "企业名称" in error.message.split("Expected headers:")[1]


def test_the_header_must_be_in_the_first_20_rows(tmp_path):
    text = "\n" * 20 + "企业名称,统一社会信用代码\n甲,1\n"
    assert read_error(write_csv(tmp_path / "late.csv", text)).code == "header"
    sheet, _rows = read(write_csv(tmp_path / "ok.csv", text[1:]))
    assert sheet.header_row == 20


def test_a_duplicate_header(tmp_path):
    path = write_xlsx(
        tmp_path / "d.xlsx", [["企业名称", "统一社会信用代码", "Company name"], ["甲", "1", "甲"]]
    )
    error = read_error(path)
    assert error.code == "duplicate"
    assert error.message == "The column “企业名称” appears twice in the header row (columns A and C)."


def test_a_cell_too_long_in_csv_is_refused_while_streaming(tmp_path):
    text = "企业名称,统一社会信用代码\n" + "甲,1\n" * 25 + "乙," + "x" * 40_000 + "\n"
    sheet = open_sheet(write_csv(tmp_path / "l.csv", text), "l.csv", COLUMNS)
    rows = sheet.rows()
    assert [next(rows).number for _ in range(25)][-1] == 26
    with pytest.raises(ReadError) as caught:
        next(rows)
    assert (caught.value.message, caught.value.code) == (
        "Row 27, column B: a cell of more than 32,767 characters.",
        "cell",
    )


def test_a_cell_too_long_in_xlsx(tmp_path):
    # xlsxwriter itself stops at 32,767 characters: patch the shared string afterwards.
    path = write_xlsx(tmp_path / "l.xlsx", [["序号", *HEADER[:2]], [1, "甲", "PLACEHOLDER"]])
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"PLACEHOLDER", b"x" * 40_000)
            target.writestr(item, data)
    assert read_error(patched).message == "Row 2, column C: a cell of more than 32,767 characters."
    assert read_error(patched, max_cell=100).message == "Row 2, column C: a cell of more than 100 characters."


def test_a_cell_too_long_above_the_header(tmp_path):
    text = "y" * 40_000 + "\n企业名称,统一社会信用代码\n"
    assert read_error(write_csv(tmp_path / "l.csv", text)).code == "cell"


def test_too_many_rows_is_raised_while_streaming(tmp_path):
    text = "企业名称,统一社会信用代码\n" + "".join(f"企业{i},{i}\n" for i in range(10))
    sheet = open_sheet(write_csv(tmp_path / "many.csv", text), "many.csv", COLUMNS, max_rows=5)
    seen = []
    with pytest.raises(ReadError) as caught:
        for row in sheet.rows():
            seen.append(row.number)
    assert seen == [2, 3, 4, 5, 6]
    assert (caught.value.message, caught.value.code) == ("The file has more than 5 rows.", "rows")
    assert (
        len(list(open_sheet(write_csv(tmp_path / "ok.csv", text), "ok.csv", COLUMNS, max_rows=10).rows()))
        == 10
    )


def test_the_limits_default_to_excels_and_show_with_thousands_separators(tmp_path):
    assert open_sheet.__kwdefaults__ == {"max_rows": 1_048_575, "max_cell": 32_767}
    text = "企业名称,统一社会信用代码\n" + "甲,1\n" * 1_001
    sheet = open_sheet(write_csv(tmp_path / "m.csv", text), "m.csv", COLUMNS, max_rows=1_000)
    with pytest.raises(ReadError, match=r"^The file has more than 1,000 rows\.$"):
        list(sheet.rows())


def test_a_row_with_values_only_in_unknown_columns_is_given_with_none(tmp_path):
    text = "企业名称,统一社会信用代码,备注\n甲,1,\n,,填表人：张三\n"
    _sheet, rows = read(write_csv(tmp_path / "u.csv", text))
    assert rows[1] == Row(3, {"name": None, "credit_code": None})


def test_an_encoding_that_fails_past_the_sample(tmp_path):
    text = ("企业名称,统一社会信用代码\n" + "甲,1\n" * 20_000).encode("gb18030") + b"\xff\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(text)
    assert read_error(path).code == "encoding"


def test_a_column_list_that_contradicts_itself():
    with pytest.raises(ValueError, match="both"):
        open_sheet(io.BytesIO(b"a\n"), "a.csv", [Column("a", ("名称",)), Column("b", ("名 称*",))])
    with pytest.raises(ValueError, match="twice"):
        open_sheet(io.BytesIO(b"a\n"), "a.csv", [Column("a", ("x",)), Column("a", ("y",))])


# --------------------------------------------------------------------------------------------------
# Helpers for the error report


def test_raw_rows_give_the_file_as_it_is(tmp_path):
    def build(book, ws):
        ws.write_row(1, 1, ["企业名称", "统一社会信用代码"])
        ws.write_row(2, 1, ["Ａ公司 ", 12345.0])

    rows = list(raw_rows(write_xlsx(tmp_path / "r.xlsx", [], build=build), "r.xlsx"))
    assert rows == [["", "", ""], ["", "企业名称", "统一社会信用代码"], ["", "Ａ公司 ", 12345.0]]
    with pytest.raises(ReadError):
        raw_rows(io.BytesIO(b""), "x.csv")


def test_match_header():
    assert match_header(COLUMNS, " ｕｓｃｃ（必填）") is COLUMNS[1]
    assert match_header(COLUMNS, "*企业名称:") is COLUMNS[0]
    assert match_header(COLUMNS, "备注") is None
    assert match_header(COLUMNS, None) is None


# --------------------------------------------------------------------------------------------------
# Parsers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        (JUNE_1, JUNE_1),
        (datetime.datetime(2018, 6, 1, 23, 59), JUNE_1),
        (43252, JUNE_1),
        (43252.75, JUNE_1),
        (D("43252"), JUNE_1),
        ("43252", JUNE_1),
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (2958465, datetime.date(9999, 12, 31)),
        ("2018-06-01", JUNE_1),
        ("2018/6/1", JUNE_1),
        ("2018.6.1", JUNE_1),
        ("2018年6月1日", JUNE_1),
        ("2018年06月01号", JUNE_1),
        ("2018年6月1", JUNE_1),
        ("20180601", JUNE_1),
        ("２０１８年６月１日", JUNE_1),
        ("２０１８－０６－０１", JUNE_1),
        (" 2018 - 06 - 01 ", JUNE_1),
        ("2018 年 6 月 1 日\u3000", JUNE_1),
        ("2018-06-01 00:00:00", JUNE_1),
        ("2018/6/1 8:30", JUNE_1),
        ("2018-06-01T08:30:00", JUNE_1),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        0,
        -1,
        0.5,
        60,  # Excel's 1900-02-29, which never was
        2958466,
        10**12,
        float("nan"),
        float("inf"),
        True,
        "abc",
        "2018",
        "2018-13-01",
        "2018-02-30",
        "2018-06/01",
        "18-6-1",
        "6/1/2018",
        "1899-12-31",
        "201861",
        "1234",
        datetime.time(12, 0),
    ],
)
def test_parse_date_refuses(value):
    with pytest.raises(ValueError) as caught:
        parse_date(value)
    assert "is not a date" in str(caught.value)


def test_parse_date_message():
    with pytest.raises(ValueError, match=r"^“2018-02-30” is not a date \(write dates like 2018-06-01\)\.$"):
        parse_date("2018-02-30")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (12, D(12)),
        (0.1, D("0.1")),
        (1234.5, D("1234.5")),
        (1e20, D("1e20")),
        (D("1.20"), D("1.20")),
        ("58,660,000", D(58_660_000)),
        ("５８，６６０", D(58_660)),
        (" 1 234.5 ", D("1234.5")),
        ("１２.５", D("12.5")),
        ("１２．５", D("12.5")),
        ("-3", D(-3)),
        ("+3", D(3)),
        ("\u22123", D(-3)),
        ("－3", D(-3)),
        ("0.000", D("0.000")),
        (".5", D("0.5")),
        ("1.5E+3", D(1500)),
        ("5.866E+07", D(58_660_000)),
        ("-1,234,567.89", D("-1234567.89")),
    ],
)
def test_parse_decimal(value, expected):
    result = parse_decimal(value)
    assert result == expected
    if expected is not None:
        assert isinstance(result, D)


def test_parse_decimal_has_no_binary_noise():
    assert str(parse_decimal(0.1)) == "0.1"
    assert str(parse_decimal(0.1 + 0.2)) == "0.30000000000000004"  # what the float is, shortest form
    assert str(parse_decimal(1234.5)) == "1234.5"


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "1.2.3",
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        float("nan"),
        float("inf"),
        D("NaN"),
        D("Infinity"),
        True,
        "12,5",
        "1,23,456",
        "12 5",
        "1,2345",
        "1e",
        "--3",
        "3-",
        "¥100",
        "12%",
        JUNE_1,
    ],
)
def test_parse_decimal_refuses(value):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (7, 7),
        (12.0, 12),
        ("12.0", 12),
        ("1,234", 1234),
        ("１２", 12),
        ("1e3", 1000),
    ],
)
def test_parse_int(value, expected):
    result = parse_int(value)
    assert result == expected
    assert result is None or type(result) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.5", "is not a whole number"),
        (12.5, "is not a whole number"),
        ("abc", "is not a whole number"),
        (True, "is not a whole number"),
        ("1e999999999", "is too large"),
    ],
)
def test_parse_int_refuses(value, message):
    with pytest.raises(ValueError, match=message):
        parse_int(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (" abc ", "abc"),
        ("Ａ　Ｂ", "A B"),
        ("a  b", "a  b"),
        ("\u3000武汉 甲公司\u00a0", "武汉 甲公司"),
        (12345.0, "12345"),
        (91420100123456.0, "91420100123456"),
        (13800138000.0, "13800138000"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (7, "7"),
        (D("1.50"), "1.50"),
        (JUNE_1, "2018-06-01"),
        (datetime.datetime(2018, 6, 1), "2018-06-01"),
        (datetime.datetime(2018, 6, 1, 8, 30), "2018-06-01 08:30:00"),
        (True, "TRUE"),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value) == expected


def test_parse_text_max_length():
    assert parse_text("abcde", max_length=5) == "abcde"
    assert parse_text(" abcde ", max_length=5) == "abcde"
    with pytest.raises(ValueError) as caught:
        parse_text("abcdef", max_length=5)
    assert str(caught.value) == "Too long: at most 5 characters, this has 6."
    with pytest.raises(ValueError, match="at most 2,000 characters"):
        parse_text("x" * 2001, max_length=2000)


PAIRS = [("y", gettext_lazy("Yes")), ("n", gettext_lazy("No"))]


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        (None, Severity, None),
        ("", Severity, None),
        ("minor", Severity, Severity.MINOR),
        ("MAJOR ", Severity, Severity.MAJOR),
        ("Minor", Severity, Severity.MINOR),
        ("severe", Severity, Severity.SEVERE),
        ("一般", Severity, Severity.MINOR),
        ("较重", Severity, Severity.MAJOR),
        ("較重", Severity, Severity.MAJOR),  # Traditional Chinese, a language of the site too
        ("严重", Severity, Severity.SEVERE),
        ("ＳＥＶＥＲＥ", Severity, Severity.SEVERE),
        ("是", PAIRS, "y"),
        ("no", PAIRS, "n"),
        ("Y", PAIRS, "y"),
        ("否", PAIRS, "n"),
    ],
)
def test_parse_choice(value, choices, expected):
    assert parse_choice(value, choices) == expected


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_parse_choice_reads_both_languages_whatever_the_active_one(language):
    with override(language):
        assert parse_choice("Major", Severity) == "major"
        assert parse_choice("较重", Severity) == "major"
        assert parse_choice("是", PAIRS) == "y"
        assert parse_choice("Yes", PAIRS) == "y"


def test_parse_choice_refuses_listing_the_labels():
    with pytest.raises(ValueError) as caught:
        parse_choice("medium", Severity)
    assert str(caught.value) == "“medium” is not one of: Minor, Major, Severe."
    with override("zh-hans"), pytest.raises(ValueError) as caught:
        parse_choice("medium", Severity)
    assert "一般, 较重, 严重" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (True, True),
        (False, False),
        ("是", True),
        ("否", False),
        ("有", True),
        ("无", False),
        ("yes", True),
        ("No", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("１", True),
        (1, True),
        (0, False),
        (1.0, True),
        (0.0, False),
        ("√", True),
        ("×", False),
        (" 是 ", True),
    ],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", "2", 2, 0.5, "是否", JUNE_1])
def test_parse_bool_refuses(value):
    with pytest.raises(ValueError, match="is not yes or no"):
        parse_bool(value)


# --------------------------------------------------------------------------------------------------
# Properties


@given(st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_dates_round_trip(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_date(day.strftime("%Y%m%d")) == day
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.5) == day
    full_width = day.isoformat().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    assert parse_date(full_width) == day


@given(st.integers(min_value=-(10**24), max_value=10**24))
def test_grouped_integers_round_trip(n):
    assert parse_decimal(f"{n:,}") == n
    assert parse_int(f"{n:,}") == n
    assert parse_decimal(str(n)) == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_read_exactly_as_their_repr(x):
    assert parse_decimal(x) == D(repr(x))
    assert float(parse_decimal(x)) == x


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-be"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_a_csv_says_about_how_many_rows_it_holds(tmp_path, encoding, final_newline):
    text = "2018年湖北省企业名单,,\n企业名称,统一社会信用代码\n" + "".join(f"甲{i},{i}\n" for i in range(250))
    path = tmp_path / "a.csv"
    data = (text if final_newline else text.rstrip("\n")).encode(encoding)
    path.write_bytes(codecs.BOM_UTF16_BE + data if encoding == "utf-16-be" else data)
    sheet, rows = read(path, "a.csv")
    assert len(rows) == 250 and sheet.expected_rows() == 250


def test_a_workbook_says_how_many_rows_its_used_range_holds(tmp_path):
    rows = [["名单"], [], HEADER] + [[f"甲{i}", f"9142{i:014d}", "", "", ""] for i in range(40)]
    sheet, read_rows = read(write_xlsx(tmp_path / "a.xlsx", rows))
    assert len(read_rows) == 40 and sheet.expected_rows() == 40


def test_progress_counts_down_to_the_estimate_and_never_claims_the_end():
    from uplift.core.progress import progress as _progress

    assert _progress(500, 2.0, None) == {"rows": 500, "seconds": 2.0, "per_second": 250}
    half = _progress(500, 2.0, 1000)
    assert (half["percent"], half["seconds_left"], half["expected"]) == (50.0, 2, 1000)
    assert _progress(1200, 2.0, 1000)["percent"] == 99.0  # the estimate was short: not 120%
    assert _progress(0, 0.0, 1000)["seconds_left"] is None
