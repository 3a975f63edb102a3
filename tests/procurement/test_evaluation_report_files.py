"""A tender's evaluation report as files (xlsx, PDF): the lot page's figures to the cent, its
access rules, and hostile text written as text."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from uplift.procurement import selectors
from uplift.procurement.evaluation_report import html_of, write_xlsx
from uplift.procurement.testing import EXPECTED, TenderScenario


def _pdf_ready() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


needs_pdf = pytest.mark.skipif(
    not _pdf_ready(), reason="WeasyPrint cannot load its libraries; run scripts/system-packages.sh as root"
)

HOSTILE_FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_HTML = "<script>alert(1)</script>"


def url(s, fmt):
    return reverse("procurement:tender_evaluation_report", args=[s.tender.pk, fmt])


def workbook(body: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(body))


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def summary_rows(book: CalamineWorkbook) -> list[list]:
    rows = book.get_sheet_by_name("Summary").to_python()
    header = rows.index(next(r for r in rows if r and r[0] == "Lot"))
    return [dict(zip(rows[header], r, strict=False)) for r in rows[header + 1 :] if any(r)]


@pytest.fixture
def awarded(w):
    return TenderScenario(w, stage="awarded")


def test_the_xlsx_totals_are_the_pages_to_the_cent(w, awarded, client):
    s = awarded
    client.force_login(w.officer)
    page = client.get(s.lot.get_absolute_url())
    results = page.context["results"]
    assert results == selectors.lot_results(s.lot)
    response = client.get(url(s, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="HBZB-2018-01-evaluation-report-')
    book = workbook(b"".join(response.streaming_content))
    rows = summary_rows(book)
    lot1 = [r for r in rows if str(r["Lot"]).startswith("1 ")]
    assert [r["Bidder"] for r in lot1] == [r.bidder for r in results]
    for row, result in zip(lot1, results, strict=True):
        assert isinstance(row["Total"], float)
        assert Decimal(str(row["Total"])).quantize(Decimal("0.01")) == result.total
        assert Decimal(str(row["Price score"])).quantize(Decimal("0.01")) == result.price_score
        assert Decimal(str(row["Bonus"])).quantize(Decimal("0.01")) == result.bonus
        assert row["Rank"] == result.rank
    by_bidder = {r["Bidder"]: r for r in lot1}
    for letter, expected in EXPECTED.items():
        row = by_bidder[str(s.bidders[letter])]
        assert (
            f"{row['Total']:.2f}" == expected["total"]
            and f"{row['Expert criteria']:.2f}" == expected["quality"]
        )
    assert any(str(r["Lot"]).startswith("2 ") for r in rows)  # every lot of the tender
    # One sheet per expert and lot (five experts, two lots) and the method.
    names = book.sheet_names
    assert names[0] == "Summary" and names[-1] == "Method" and len(names) == 2 + 10
    first = book.get_sheet_by_name(names[1]).to_python()
    assert str(s.experts[0]) in names[1]  # the bureau reads the sheets: the experts are named
    a_row = next(r for r in first if r and r[0] == str(s.bidders["A"]))
    assert a_row[1:4] == [35.0, 16.0, 8.0] and a_row[4] == 59.0
    method = book.get_sheet_by_name("Method").to_python()
    text = " ".join(str(c) for r in method for c in r)
    assert "five or more experts" in text and "Excellent" in text and "lower price" in text
    # Numbers are written with two decimals.
    with zipfile.ZipFile(io.BytesIO(b"".join(client.get(url(s, "xlsx")).streaming_content))) as z:
        assert 'formatCode="0.00"' in z.read("xl/styles.xml").decode()


def test_a_bidder_reads_the_report_once_awarded_with_the_experts_numbered(w, awarded, client):
    s = awarded
    client.force_login(s.bidder_users["B"])
    assert client.get(s.lot.get_absolute_url()).context["results"] is not None
    response = client.get(url(s, "xlsx"))
    assert response.status_code == 200
    names = workbook(b"".join(response.streaming_content)).sheet_names
    assert "1-Expert 1" in names and not any(str(e) in n for e in s.experts for n in names)


def test_who_may_not_read_the_page_gets_no_file(w, client):
    s = TenderScenario(w, stage="scored")  # evaluating: the bureau's, provisional
    for user in (w.hunan_officer, s.bidder_users["A"], s.expert_users[1]):
        client.force_login(user)
        page = client.get(s.lot.get_absolute_url())
        assert page.status_code == 200 and page.context["results"] is None
        assert url(s, "xlsx").encode() not in page.content
        for fmt in ("xlsx", "pdf"):
            assert client.get(url(s, fmt)).status_code == 404, (user, fmt)
    client.force_login(w.enterprise_user)  # no tender to read: refused, as the page is
    assert client.get(s.lot.get_absolute_url()).status_code == 403
    assert client.get(url(s, "xlsx")).status_code == 403
    client.force_login(w.officer)
    page = client.get(s.lot.get_absolute_url())
    assert page.context["results"] is not None and url(s, "xlsx").encode() in page.content
    response = client.get(url(s, "xlsx"))
    assert response.status_code == 200
    rows = workbook(b"".join(response.streaming_content)).get_sheet_by_name("Summary").to_python()
    assert "Provisional" in rows[1][0]
    assert client.get(url(s, "docx")).status_code == 404
    assert client.post(url(s, "xlsx")).status_code == 405
    client.logout()
    assert client.get(url(s, "xlsx")).status_code == 302  # to the sign-in page


def test_an_out_of_scope_officer_reads_it_once_awarded_as_on_the_page(w, awarded, client):
    client.force_login(w.hunan_officer)
    assert client.get(awarded.lot.get_absolute_url()).context["results"] is not None
    assert client.get(url(awarded, "xlsx")).status_code == 200


def _hostile(s):
    model = type(s.bidders["B"])
    model.objects.filter(pk=s.bidders["B"].pk).update(name=HOSTILE_FORMULA)
    model.objects.filter(pk=s.bidders["C"].pk).update(name=HOSTILE_HTML)


def test_hostile_names_are_text_in_the_xlsx_and_escaped_in_the_html(w, awarded):
    _hostile(awarded)
    report = selectors.evaluation_report(awarded.tender, w.officer)
    out = io.BytesIO()
    write_xlsx(report, out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets
    bidders = [r["Bidder"] for r in summary_rows(workbook(out.getvalue()))]
    assert HOSTILE_FORMULA in bidders and HOSTILE_HTML in bidders
    html = html_of(report)
    assert HOSTILE_HTML not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@needs_pdf
def test_the_pdf_holds_the_reference_the_bidders_and_the_totals(w, awarded, client):
    s = awarded
    _hostile(s)
    client.force_login(w.officer)
    response = client.get(url(s, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="HBZB-2018-01-evaluation-report-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "HBZB-2018-01" in text
    assert str(s.bidders["A"]) in text and HOSTILE_FORMULA in text and HOSTILE_HTML in text
    for expected in EXPECTED.values():
        assert expected["total"] in text
