"""The feedback report as a PDF (WeasyPrint, Noto Sans CJK): the page's content laid out for A4.

WeasyPrint is imported when a PDF is asked for, so the rest of the application runs on a machine
without Pango (``scripts/system-packages.sh`` installs it where it can).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

#: The print stylesheet (a file, not a <style> element: every template obeys the CSP).
STYLESHEET = Path(__file__).resolve().parent / "feedback_pdf.css"


def bars(categories: list[dict[str, Any]]) -> dict[str, Any]:
    """An SVG bar chart's geometry (WeasyPrint runs no JavaScript, so no ECharts): per category
    the consensus share and, when there is one, the self-assessed share, as bar widths."""
    width, label, row = 640, 170, 34
    scale = (width - label - 50) / 100
    rows = []
    for n, c in enumerate(categories):
        y = 10 + n * row
        rows.append(
            {
                "y": y,
                "text_y": y + 14,
                "name": f"{c['category'].code} {c['name']}",
                "consensus": round((c["percent"] or 0) * scale, 1),
                "consensus_label": c["percent"],
                "self": round((c["self_percent"] or 0) * scale, 1)
                if c.get("self_percent") is not None
                else None,
                "self_label": c.get("self_percent"),
            }
        )
    return {"width": width, "height": 20 + len(categories) * row, "label": label, "rows": rows}


def feedback_pdf(context: dict[str, Any], *, request: Any = None) -> bytes:
    from uplift.reports.pdf import render

    html = render_to_string(
        "excellence/feedback_pdf.html", {**context, "bars": bars(context["categories"])}, request
    )
    base = request.build_absolute_uri("/") if request is not None else None
    return render(html, STYLESHEET, base_url=base).write_pdf()
