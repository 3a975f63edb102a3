"""A tender's evaluation report as files: an xlsx (summary, one sheet per expert, the method) and
an A4 PDF, both written from one :class:`.selectors.EvaluationReport` — the same figures the lot
page shows, read through the same selector (:func:`.selectors.lot_results`).

Text is never written as a formula in the workbook (:func:`uplift.core.export.write_cell`) and
always escaped in the PDF (Django's templates). WeasyPrint is imported when a PDF is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.core.export import DateFormats, write_cell

from .choices import PriceFormula
from .selectors import EvaluationReport

#: The print stylesheet (a file, not a <style> element: every template obeys the CSP).
STYLESHEET = Path(__file__).resolve().parent / "evaluation_pdf.css"

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(report: EvaluationReport, fmt: str) -> str:
    """The file's name: the tender's reference, what it is, and the day it was written."""
    return (
        f"{report.tender.reference}-evaluation-report-{timezone.localdate(report.generated_at):%Y%m%d}.{fmt}"
    )


# --- The method: the rules, stated once for both files --------------------------------------------


def method_rows(report: EvaluationReport) -> list[tuple[str, str]]:
    """The evaluation's rules as (what, rule) lines: the weights, the price formula, the drop
    rule, the past-grade bonus and the ranking's tie rule."""
    t = report.tender
    rows = [
        (_("Criterion weight: %(name)s") % {"name": c.name}, f"{c.weight:.2f} ({c.get_kind_display()})")
        for c in report.criteria
    ]
    formula = t.get_price_formula_display()
    if t.price_formula == PriceFormula.DEDUCTION:
        formula += " · " + _("%(points)s points per percent above the lowest price, never below 0") % {
            "points": f"{t.price_deduction:.2f}"
        }
    rows += [
        (_("Price score"), _("The lowest valid price gets the full weight.") + " " + formula),
        (
            _("Expert criteria"),
            _(
                "Per criterion, the mean of the experts' points, leaving out one highest and one lowest "
                "when five or more experts scored; rounded to the cent, half up."
            )
            if t.drop_extremes
            else _("Per criterion, the mean of all the experts' points; rounded to the cent, half up."),
        ),
        (
            _("Past-grade bonus"),
            _(
                "%(points)s points when the bidder's latest acceptance grade within %(years)s years "
                "is Excellent."
            )
            % {"points": f"{t.bonus_points:.2f}", "years": t.bonus_years},
        ),
        (_("Total"), _("Expert criteria + price score + past-grade bonus.")),
        (
            _("Ranking"),
            _(
                "Higher total first; on a tie the lower price, then the higher expert-criteria score, then "
                "the earlier submission. Disqualified bids are not ranked."
            ),
        ),
    ]
    return rows


# --- xlsx ------------------------------------------------------------------------------------------


def write_xlsx(report: EvaluationReport, target: Any) -> None:
    """Write the report's workbook to ``target`` (a path or a binary file)."""
    book = xlsxwriter.Workbook(
        target, {"strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}
    )
    head = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 13})
    points = book.add_format({"num_format": "0.00"})
    money = book.add_format({"num_format": "#,##0.00"})
    strong = book.add_format({"num_format": "0.00", "bold": True})
    dates = DateFormats.of(book)
    t = report.tender

    def header(ws: Any, row: int, titles: list[str]) -> None:
        for col, text in enumerate(titles):
            write_cell(ws, row, col, text, head)

    def heading(ws: Any) -> None:
        write_cell(ws, 0, 0, f"{t.reference} {t.title}", title)
        note = _("Evaluation report") + (
            " · " + _("Provisional: the tender is not awarded yet.") if report.provisional else ""
        )
        write_cell(ws, 1, 0, note)

    # The summary: one line per bid of every lot, ranked bids first, then the disqualified.
    ws = book.add_worksheet(_("Summary")[:31])
    heading(ws)
    titles = [_("Lot"), _("Rank"), _("Bidder"), _("Price (yuan)"), _("Price score")]
    titles += [f"{c.name} ({c.weight:.2f})" for c in report.expert_criteria]
    titles += [_("Expert criteria"), _("Bonus"), _("Total"), _("Status"), _("Reason for disqualification")]
    titles += [_("Past-grade bonus")]
    status, reason = len(titles) - 3, len(titles) - 2
    header(ws, 3, titles)
    ws.set_column(0, 0, 24)
    ws.set_column(2, 2, 32)
    ws.set_column(3, status - 1, 13)
    ws.set_column(status, reason, 30)
    ws.set_column(reason + 1, reason + 1, 48)
    row = 4
    for lr in report.lots:
        lot = f"{lr.lot.number} {lr.lot.title}"
        for r in lr.results:
            means = {cs.criterion_id: cs.mean for cs in r.criteria}
            cells: list[tuple[Any, Any]] = [
                (lot, None),
                (r.rank, None),
                (r.bidder, None),
                (r.price, money),
                (r.price_score, points),
                *((means.get(c.pk), points) for c in report.expert_criteria),
                (r.quality, points),
                (r.bonus, points),
                (r.total, strong),
                (_("Ranked"), None),
                ("", None),
                (r.bonus_reason, None),
            ]
            for col, (value, fmt) in enumerate(cells):
                write_cell(ws, row, col, value, fmt)
            row += 1
        for bid in lr.disqualified:
            write_cell(ws, row, 0, lot)
            write_cell(ws, row, 2, str(bid.institution))
            write_cell(ws, row, 3, bid.price, money)
            write_cell(ws, row, status, bid.get_status_display())
            write_cell(ws, row, reason, bid.disqualified_reason)
            row += 1
        if not lr.results and not lr.disqualified:
            write_cell(ws, row, 0, lot)
            write_cell(ws, row, 2, _("No valid bid."))
            row += 1
        if lr.missing:
            write_cell(ws, row, 0, lot)
            write_cell(
                ws, row, 2, _("Waiting for the score sheets of: %(names)s") % {"names": ", ".join(lr.missing)}
            )
            row += 1
    ws.freeze_panes(4, 3)

    # One sheet per expert and lot: the points as submitted.
    used: set[str] = set()
    for lr in report.lots:
        for sheet in lr.sheets:
            name = _sheet_name(f"{lr.lot.number}-{sheet.label}", used)
            ws = book.add_worksheet(name)
            heading(ws)
            write_cell(ws, 2, 0, f"{_('Lot')} {lr.lot.number} {lr.lot.title} · {sheet.label}")
            write_cell(ws, 2, 3, sheet.submitted_at, dates=dates)
            titles = [_("Bidder"), *(f"{c.name} ({c.weight:.2f})" for c in report.expert_criteria), _("Sum")]
            header(ws, 3, titles)
            ws.set_column(0, 0, 32)
            ws.set_column(1, len(titles) - 1, 14)
            for i, (bidder, cells, total) in enumerate(sheet.rows, start=4):
                write_cell(ws, i, 0, bidder)
                for col, value in enumerate(cells, start=1):
                    write_cell(ws, i, col, value, points)
                write_cell(ws, i, len(titles) - 1, total, strong)

    # The method.
    ws = book.add_worksheet(_("Method")[:31])
    heading(ws)
    header(ws, 3, [_("Rule"), _("How")])
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 90)
    for i, (what, how) in enumerate(method_rows(report), start=4):
        write_cell(ws, i, 0, what)
        write_cell(ws, i, 1, how)
    book.close()


def _sheet_name(name: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "_"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


# --- PDF -------------------------------------------------------------------------------------------


def html_of(report: EvaluationReport) -> str:
    """The report's HTML as WeasyPrint reads it; every text escaped by the template."""
    lots = []
    for lr in report.lots:
        rows = []
        for r in lr.results:
            means = {cs.criterion_id: cs for cs in r.criteria}
            rows.append({"result": r, "criteria": [means.get(c.pk) for c in report.expert_criteria]})
        lots.append({"report": lr, "rows": rows})
    return render_to_string(
        "procurement/evaluation_report_pdf.html",
        {"report": report, "tender": report.tender, "lots": lots, "method": method_rows(report)},
    )


def write_pdf(report: EvaluationReport, target: Any = None) -> bytes | None:
    """Write the report as an A4 PDF to ``target`` (a path or a binary file), or return its bytes."""
    from uplift.reports.pdf import render

    return render(html_of(report), STYLESHEET).write_pdf(target)
