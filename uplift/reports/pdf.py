"""The programme report as a PDF: :class:`.programme.ProgrammeReport` laid out for A4 by
WeasyPrint, in Noto Sans CJK (installed by ``scripts/system-packages.sh``), charts drawn as SVG
(:mod:`.svg`).

WeasyPrint is imported when a PDF is asked for, so the rest of the application runs on a machine
without Pango.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from . import svg
from .programme import ProgrammeReport

#: The print stylesheet (a file, not a <style> element: every template obeys the CSP).
STYLESHEET = Path(__file__).resolve().parent / "programme_pdf.css"

#: The dashboard's charts the PDF draws, by the name the template uses.
CHARTS = {
    "targets": "chart-targets",
    "pass_rate": "chart-pass-rate",
    "before_after": "chart-before-after",
    "ranking": "chart-ranking",
    "growth": "chart-growth",
}


def html_of(report: ProgrammeReport) -> str:
    """The report's HTML, as WeasyPrint reads it (also handy to look at in a browser)."""
    charts = {name: svg.chart(report.charts.get(spec)) for name, spec in CHARTS.items()}
    ranking = report.charts.get("chart-ranking") or {}
    return render_to_string(
        "reports/programme_pdf.html",
        {"report": report, "charts": charts, "ranking_title": ranking.get("title", "")},
    )


def render(html: str, stylesheet: Path, *, base_url: str | None = None) -> Any:
    """``html`` laid out in A4 pages by ``stylesheet`` (a WeasyPrint document: ``.pages``,
    ``.write_pdf()``): what every PDF of the application (this report, the excellence feedback
    report, a tender's evaluation report) is made with. WeasyPrint is imported here, when a PDF is
    asked for."""
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=base_url).render(stylesheets=[CSS(filename=str(stylesheet))])


def document(report: ProgrammeReport) -> Any:
    """The report laid out in pages (a WeasyPrint document: ``.pages``, ``.write_pdf()``)."""
    return render(html_of(report), STYLESHEET)


def write_pdf(report: ProgrammeReport, target: Any = None) -> bytes | None:
    """Write ``report`` as a PDF to ``target`` (a path or a binary file), or return its bytes."""
    return document(report).write_pdf(target)
