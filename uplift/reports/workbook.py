"""The programme report as a workbook: one sheet per part of :class:`.programme.ProgrammeReport`,
with Excel's own charts over the sheets' cells (a reader can re-plot or copy them).

Sheets: summary (figures against targets, the funnel), regions, pilot clusters, pass rate (by
quarter, before and during), indicators (each cluster's yearly series and growth), bulletin.
Text is always written as text, never as a formula.
"""

from __future__ import annotations

from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from uplift.core.export import write_cell

from .programme import ProgrammeReport


class _Sheet:
    """A worksheet written top to bottom, with the report's few formats."""

    def __init__(self, book: Any, name: str, formats: dict[str, Any]) -> None:
        self.ws = book.add_worksheet(name[:31])
        self.f = formats
        self.row = 0

    def title(self, text: str, note: str = "") -> None:
        self.ws.write_string(self.row, 0, text, self.f["title"])
        self.row += 1
        if note:
            self.ws.write_string(self.row, 0, note, self.f["muted"])
            self.row += 1
        self.row += 1

    def table(
        self, header: list[str], rows: list[list[Any]], formats: dict[int, str] | None = None
    ) -> tuple[int, int]:
        """Write a table; return the first and last data row (for charts)."""
        formats = formats or {}
        for c, h in enumerate(header):
            self.ws.write_string(self.row, c, str(h), self.f["head"])
        first = self.row + 1
        for r, row in enumerate(rows, start=first):
            for c, value in enumerate(row):
                write_cell(self.ws, r, c, value, self.f.get(formats.get(c, "")))
        self.row = first + len(rows) + 1
        return first, first + len(rows) - 1

    def widths(self, *widths: int) -> None:
        for c, w in enumerate(widths):
            self.ws.set_column(c, c, w)


def _pct(value: float | None) -> float | None:
    return None if value is None else value / 100


def write_workbook(report: ProgrammeReport, target: Any) -> None:
    """Write ``report`` to ``target`` (a path or a binary file)."""
    book = xlsxwriter.Workbook(
        target, {"strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}
    )
    book.set_properties({"title": report.title, "subject": _("Programme report"), "author": "Uplift"})
    f = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "muted": book.add_format({"font_color": "#666666"}),
        "head": book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True}),
        "pct": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "#,##0"}),
        "money": book.add_format({"num_format": "¥#,##0"}),
        "dec": book.add_format({"num_format": "#,##0.##"}),
    }
    _summary(book, report, f)
    _regions(book, report, f)
    _clusters(book, report, f)
    _pass_rate(book, report, f)
    _indicators(book, report, f)
    _bulletin(book, report, f)
    book.close()


def _stamp(report: ProgrammeReport) -> str:
    return _("Generated %(when)s from the records; every figure is on the dashboard with its records.") % {
        "when": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    }


def _summary(book: Any, report: ProgrammeReport, f: dict) -> None:
    s = _Sheet(book, pgettext("report sheet", "Summary"), f)
    s.widths(34, 14, 12, 14, 12, 30)
    s.title(report.title, _stamp(report))
    first, last = s.table(
        [_("Figure"), _("Value"), _("Unit"), _("Target"), _("Reached")],
        [
            [str(k["label"]), k["value"], str(k["unit_label"]), k["target"], _pct(k["progress"])]
            for k in report.kpis
        ],
        {1: "dec", 3: "dec", 4: "pct"},
    )
    with_target = [i for i, k in enumerate(report.kpis) if k["target"]]
    funnel_top = s.row
    s.table(
        [_("Stage"), _("Enterprises"), _("Target"), _("Reached"), _("Also in the stage before")],
        [
            [
                str(st["label"]),
                st["value"],
                st["target"],
                _pct(st["progress"]),
                st["within_previous"]["value"] if st["within_previous"] else None,
            ]
            for st in report.funnel
        ],
        {1: "int", 2: "int", 3: "pct", 4: "int"},
    )
    if with_target:
        # One series over the rows that have a target (contiguous or not, Excel takes a list).
        chart = book.add_chart({"type": "bar"})
        sheet = s.ws.get_name()
        cats = ",".join(f"'{sheet}'!$A${first + i + 1}" for i in with_target)
        vals = ",".join(f"'{sheet}'!$E${first + i + 1}" for i in with_target)
        chart.add_series(
            {
                "name": _("Share of target reached"),
                "categories": f"=({cats})",
                "values": f"=({vals})",
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
        chart.set_title({"name": _("Targets and what is reached")})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_format": "0%"})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 620, "height": 60 + 26 * len(with_target)})
        s.ws.insert_chart(funnel_top + len(report.funnel) + 3, 0, chart)


def _regions(book: Any, report: ProgrammeReport, f: dict) -> None:
    if not report.by_region:
        return
    s = _Sheet(book, pgettext("report sheet", "Regions"), f)
    s.title(_("By region"), report.title)
    header = [_("Region"), _("Code")]
    formats = {}
    targeted = {c["metric"] for row in report.by_region for c in row["cells"] if c["target"]}
    for m in report.metrics:
        header.append(str(m.label))
        formats[len(header) - 1] = "dec"
        if m.name in targeted:
            header.append(_("%(figure)s: target") % {"figure": m.label})
            formats[len(header) - 1] = "dec"
    rows = []
    for row in report.by_region:
        out = [row["name"], row["code"]]
        for c in row["cells"]:
            out.append(c["value"])
            if c["metric"] in targeted:
                out.append(c["target"])
        rows.append(out)
    s.widths(16, 9, *([14] * (len(header) - 2)))
    s.table(header, rows, formats)
    s.ws.freeze_panes(s.row - len(rows) - 1, 1)


def _grades(section: Any) -> str:
    return "；".join(
        f"{p['project'].title}: {p['acceptance'].get_grade_display()}"
        for p in section.projects
        if p["acceptance"]
    )


def _clusters(book: Any, report: ProgrammeReport, f: dict) -> None:
    s = _Sheet(book, pgettext("report sheet", "Pilot clusters"), f)
    s.title(_("By pilot cluster"), report.title)
    header = [
        _("Cluster"),
        _("Region"),
        _("Service institution"),
        _("Pass rate"),
        _("Interval: low end"),
        _("Interval: high end"),
        _("Batches passed"),
        _("Batches sampled"),
        *[str(m.label) for m in report.cluster_metrics],
        _("Grade"),
    ]
    rows = []
    for c in report.clusters:
        r = c.pass_rate
        rows.append(
            [
                c.cluster.name,
                c.cluster.region.name,
                str(c.institution or ""),
                r.rate if r else None,
                r.low if r else None,
                r.high if r else None,
                r.passed if r else None,
                r.sampled if r else None,
                *[fig["value"] for fig in c.figures],
                _grades(c),
            ]
        )
    s.widths(22, 12, 26, 10, 10, 10, 10, 10, *([14] * len(report.cluster_metrics)), 30)
    s.table(
        header,
        rows,
        {3: "pct", 4: "pct", 5: "pct", 6: "int", 7: "int"}
        | {8 + i: "dec" for i in range(len(report.cluster_metrics))},
    )


def _pass_rate(book: Any, report: ProgrammeReport, f: dict) -> None:
    trend = report.charts.get("chart-pass-rate")
    rows = [c for c in report.clusters if c.comparison]
    if not trend and not rows:
        return
    s = _Sheet(book, pgettext("report sheet", "Pass rate"), f)
    s.widths(22, 14, 12, 12, 12, 16, 12)
    if trend:
        s.title(
            _("Sampling pass rate by quarter"),
            _("The interval is Wilson's at %(level)s confidence; Clopper–Pearson's under 30 batches.")
            % {"level": "95%"},
        )
        first, last = s.table(
            [
                _("Quarter"),
                _("Passed / sampled"),
                _("Pass rate"),
                _("Interval: low end"),
                _("Interval: high end"),
            ],
            [
                [q, count, _pct(v), _pct(lo), _pct(hi)]
                for q, count, v, lo, hi in zip(
                    trend["categories"],
                    trend["counts"],
                    trend["series"][0]["data"],
                    trend["lower"],
                    trend["upper"],
                    strict=True,
                )
            ],
            {2: "pct", 3: "pct", 4: "pct"},
        )
        sheet = s.ws.get_name()
        chart = book.add_chart({"type": "line"})
        for col, name, style in (
            ("C", _("Pass rate"), {"color": "#2f6fb2", "width": 2.25}),
            ("D", _("Interval: low end"), {"color": "#9dbbe0", "dash_type": "dash"}),
            ("E", _("Interval: high end"), {"color": "#9dbbe0", "dash_type": "dash"}),
        ):
            chart.add_series(
                {
                    "name": name,
                    "categories": f"='{sheet}'!$A${first + 1}:$A${last + 1}",
                    "values": f"='{sheet}'!${col}${first + 1}:${col}${last + 1}",
                    "line": style,
                }
            )
        chart.set_title({"name": _("Sampling pass rate by quarter")})
        chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 720, "height": 320})
        s.ws.insert_chart(first - 1, 6, chart)
        s.row = max(s.row, first + 18)
    if rows:
        s.title(
            _("Each pilot cluster before and during the programme"),
            _("The change in percentage points with its Newcombe interval, and a two-proportion test."),
        )
        s.table(
            [
                _("Cluster"),
                pgettext("period", "Before"),
                _("Passed / sampled"),
                pgettext("period", "During"),
                _("Passed / sampled"),
                _("Change, points (%(level)s interval)") % {"level": "95%"},
                _("p-value"),
            ],
            [
                [
                    c.cluster.name,
                    c.comparison["before"].rate,
                    f"{c.comparison['before'].passed}/{c.comparison['before'].sampled}",
                    c.comparison["during"].rate,
                    f"{c.comparison['during'].passed}/{c.comparison['during'].sampled}",
                    "{value:+.1f} [{low:+.1f}, {high:+.1f}]".format(**c.comparison["change"]),
                    c.comparison["p_value"],
                ]
                for c in rows
            ],
            {1: "pct", 3: "pct"},
        )


def _indicators(book: Any, report: ProgrammeReport, f: dict) -> None:
    shown = [c for c in report.clusters if c.series]
    if not shown:
        return
    kinds = report.series_kinds
    s = _Sheet(book, pgettext("report sheet", "Indicators"), f)
    s.widths(22, 8, *([16] * len(kinds)))
    s.title(
        _("Each pilot cluster's yearly indicators"),
        _("The cluster's own rows, as recorded with their source."),
    )
    s.table(
        [_("Cluster"), _("Year"), *[str(k.label) for k in kinds]],
        [[c.cluster.name, year, *[values.get(k) for k in kinds]] for c in shown for year, values in c.series],
        {2 + i: "dec" for i in range(len(kinds))},
    )
    s.title(_("Compound annual growth"))
    s.table(
        [
            _("Cluster"),
            pgettext("indicator", "Kind"),
            pgettext("year span", "From"),
            pgettext("year span", "To"),
            _("Growth per year"),
        ],
        [
            [c.cluster.name, str(k.label), g["from_year"], g["to_year"], g["value"]]
            for c in shown
            for k in kinds
            if (g := c.growth.get(k))
        ],
        {4: "pct"},
    )


def _bulletin(book: Any, report: ProgrammeReport, f: dict) -> None:
    s = _Sheet(book, pgettext("report sheet", "Bulletin"), f)
    s.widths(24, 12, 34, 22, 26, 10, 10)
    s.title(_("Grades published in the bulletin"), report.title)
    s.table(
        [
            _("Bulletin number"),
            _("Published"),
            _("Service project"),
            _("Cluster"),
            _("Service institution"),
            _("Total score"),
            _("Grade"),
        ],
        [
            [
                a.bulletin_number,
                timezone.localtime(a.published_at).date().isoformat() if a.published_at else "",
                a.project.title,
                a.project.pilot.cluster.name,
                str(a.project.institution),
                a.total,
                a.get_grade_display(),
            ]
            for a in report.bulletin
        ],
        {5: "dec"},
    )
