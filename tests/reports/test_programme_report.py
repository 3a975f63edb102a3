"""The programme report: the dashboard's figures, per-cluster sections and the bulletin, as a
workbook, a PDF, a download from the dashboard and `uplift report programme`."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.programmes.test_charts import batch
from uplift.delivery import services
from uplift.programmes.metrics import Scope, dashboard
from uplift.reports import svg
from uplift.reports.pdf import html_of
from uplift.reports.programme import programme_report
from uplift.reports.workbook import write_workbook


@pytest.fixture
def graded(w, d):
    """Xiantao's cluster sampled 7/10 in 2017 and 19/20 in 2018; its project graded 优秀 and
    published in a bulletin."""
    for i in range(10):
        batch(w, i, datetime.date(2017, 5, 10), passed=i < 7)
    for i in range(20):
        batch(w, 100 + i, datetime.date(2018, 8 if i < 10 else 11, 10), passed=i != 0)
    services.activity_approve(actor=d.officer2, activity=d.submitted)
    project = services.project_submit(actor=w.institution_user, project=d.project)
    rubric = [
        services.acceptance_criterion_create(
            actor=w.officer, programme=w.programme_in, order=n, name=name, points=points
        )
        for n, (name, points) in enumerate([("指标完成", 60), ("服务成效", 40)], start=1)
    ]
    acceptance = services.acceptance_create(
        actor=w.officer, project=project, held_on=datetime.date.today(), panel="张三（组长）"
    )
    services.acceptance_score(
        actor=w.officer,
        acceptance=acceptance,
        scores=[(rubric[0].pk, Decimal("57"), "合议"), (rubric[1].pk, Decimal("36"), "合议")],
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    return services.acceptance_publish(
        actor=w.officer, acceptance=acceptance, bulletin_number="鄂质〔2019〕3号"
    )


def test_the_report_says_what_the_dashboard_says(w, d, graded):
    report = programme_report(w.programme_in)
    board = dashboard(Scope(w.programme_in))
    assert [(k["name"], k["value"], k["target"]) for k in report.kpis] == [
        (k["name"], k["value"], k["target"]) for k in board["kpis"]
    ]
    assert [s["value"] for s in report.funnel] == [s["value"] for s in board["funnel"]]
    [section] = report.clusters
    assert section.cluster == w.cluster_in
    assert (section.pass_rate.passed, section.pass_rate.sampled) == (26, 30)
    assert section.pass_rate.low < 26 / 30 < section.pass_rate.high
    assert section.comparison["before"].sampled == 10 and section.comparison["during"].passed == 19
    figures = {f["name"]: f["value"] for f in section.figures}
    assert figures["activities"] == 2  # the approved one and the one decided above
    [project] = section.projects
    assert project["project"] == d.project and project["acceptance"].grade == "excellent"
    assert [a.bulletin_number for a in report.bulletin] == ["鄂质〔2019〕3号"]
    assert set(report.charts) >= {"chart-targets", "chart-pass-rate", "chart-before-after"}


def test_a_region_narrows_the_report_and_its_bulletin(w, d, graded):
    other = programme_report(w.programme_in, region="420200")  # Huangshi: no pilot there
    assert other.region.code == "420200"
    assert other.clusters == [] and other.bulletin == []
    assert programme_report(w.programme_in, region=w.programme_in.region_id).scope.region is None


def test_a_user_sees_only_the_projects_and_grades_they_may(w, d, graded):
    report = programme_report(w.programme_in, user=w.hunan_officer)
    assert all(not section.projects for section in report.clusters)
    assert len(report.bulletin) == 1  # the bulletin is public


def test_the_workbook_holds_every_part_as_numbers(w, d, graded):
    report = programme_report(w.programme_in)
    out = io.BytesIO()
    write_workbook(report, out)
    book = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    # No indicator rows in this cast: the indicators sheet is left out, not left empty.
    assert book.sheet_names == ["Summary", "Regions", "Pilot clusters", "Pass rate", "Bulletin"]
    summary = book.get_sheet_by_name("Summary").to_python()
    assert summary[0][0] == report.title
    header = summary[3]
    assert header[:2] == ["Figure", "Value"]
    values = {row[0]: row[1] for row in summary[4 : 4 + len(report.kpis)]}
    for k in report.kpis:
        assert values[str(k["label"])] == k["value"]
    clusters = book.get_sheet_by_name("Pilot clusters").to_python()
    row = next(r for r in clusters if r and r[0] == w.cluster_in.name)
    assert row[3] == pytest.approx(26 / 30) and row[6:8] == [26.0, 30.0]
    assert row[-1].endswith("Excellent")
    bulletin = book.get_sheet_by_name("Bulletin").to_python()
    assert any("鄂质〔2019〕3号" in str(r[0]) for r in bulletin)
    rates = book.get_sheet_by_name("Pass rate").to_python()
    assert any(r[0] == "2017Q2" and r[1] == "7/10" for r in rates)


def test_text_is_never_a_formula(w, d, graded):
    d.project.title = '=HYPERLINK("http://evil")'
    d.project.save()
    out = io.BytesIO()
    write_workbook(programme_report(w.programme_in), out)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets


def test_the_pdf_page_is_escaped_and_shows_each_cluster(w, d, graded):
    w.cluster_in.name = "<script>alert(1)</script>"
    w.cluster_in.save()
    html = html_of(programme_report(w.programme_in))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "鄂质〔2019〕3号" in html and d.project.title in html
    assert html.count("<svg") >= 3  # targets, pass rate by quarter, before and during


def test_the_svg_bars_scale_to_the_largest_value_and_mark_the_target():
    spec = {
        "kind": "hbar",
        "unit": "%",
        "categories": ["服务企业", "<b>"],
        "series": [{"name": "x", "data": [50.0, 150.0]}],
        "mark": 100,
        "mark_label": "Target",
    }
    out = str(svg.chart(spec))
    assert out.startswith("<svg") and "&lt;b&gt;" in out and "<b>" not in out
    widths = [float(x) for x in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', out)]
    assert widths[1] == pytest.approx(3 * widths[0], rel=1e-3)
    assert "150%" in out and "Target 100%" in out
    assert str(svg.chart(None)) == ""


def test_the_band_leaves_a_gap_where_nothing_was_sampled():
    spec = {
        "kind": "band",
        "categories": ["2017Q1", "2017Q2", "2017Q3", "2017Q4"],
        "series": [{"name": "rate", "data": [70.0, None, 90.0, 95.0]}],
        "lower": [55.0, None, 80.0, 85.0],
        "upper": [80.0, None, 95.0, 99.0],
    }
    out = str(svg.chart(spec))
    assert out.count("<polyline") == 2 and out.count("<polygon") == 2


def _pdf_ready() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


def test_the_pdf_is_a_pdf(w, d, graded):
    if not _pdf_ready():
        pytest.skip("WeasyPrint cannot load its libraries; run scripts/system-packages.sh as root")
    from uplift.reports.pdf import document

    pages = document(programme_report(w.programme_in))
    assert len(pages.pages) >= 3  # the summary, the cluster's page, the bulletin's
    data = pages.write_pdf()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")


def test_the_dashboard_offers_the_report_and_the_download_keeps_to_the_officers_area(w, d, graded, client):
    client.force_login(w.officer)
    page = client.get(reverse("programmes:dashboard", args=[w.programme_in.slug]))
    url = reverse("programmes:report", args=[w.programme_in.slug, "xlsx"])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert client.get(url, {"region": "430000"}).status_code == 404  # Hunan: not this officer's
    assert client.get(reverse("programmes:report", args=[w.programme_in.slug, "docx"])).status_code == 404
    assert client.post(url).status_code == 405


def test_the_report_is_for_those_who_may_read_the_dashboard(w, d, client):
    url = reverse("programmes:report", args=[w.programme_in.slug, "xlsx"])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(w.enterprise_user)
    assert client.get(url).status_code == 403
    client.force_login(w.hunan_officer)
    assert client.get(url).status_code == 404  # Hubei's programme is not Hunan's officer's


def test_the_command_writes_the_report(w, d, graded, tmp_path):
    out = tmp_path / "report.xlsx"
    stdout = io.StringIO()
    call_command("report", "programme", "--programme", w.programme_in.slug, "--out", str(out), stdout=stdout)
    assert out.exists() and str(out) in stdout.getvalue()
    CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Summary")
    with pytest.raises(CommandError, match="unknown region code '999999'"):
        call_command("report", "programme", "--region", "999999", "--out", str(out))
    with pytest.raises(CommandError, match="outside the programme's region"):
        call_command(
            "report", "programme", "--programme", w.programme_in.slug, "--region", "430000", "--out", str(out)
        )
    with pytest.raises(CommandError, match="is a folder"):
        call_command("report", "programme", "--programme", w.programme_in.slug, "--out", str(tmp_path))
