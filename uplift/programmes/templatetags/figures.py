"""``{% figure_cells row.cells %}``: the table cells of the dashboard's figures, each a link to the
records it counts, with the region's share of the target where one is set.

Rendered in Python: the province dashboard has several hundred such cells, and building them in
the template language cost more than every database query of the page (bench/RESULTS.md).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from uplift.core.money import yuan

register = template.Library()


def grouped(value: Any) -> str:
    """A figure with thousands separators: 10,364; 4,688,700.5."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@register.simple_tag
def figure_cells(cells: list[dict[str, Any]]) -> SafeString:
    from uplift.programmes.metrics import METRICS

    out = []
    for cell in cells:
        metric = METRICS.get(cell.get("metric", ""))
        # An amount is written as money everywhere (¥142,490,000), counts as plain figures.
        shown = yuan if metric is not None and metric.unit == "yuan" else grouped
        target = cell.get("target")
        suffix = "" if target is None else f' <span class="muted">/ {shown(target)}</span>'
        out.append(f'<td class="num"><a href="{escape(cell["url"])}">{shown(cell["value"])}</a>{suffix}</td>')
    return mark_safe("".join(out))  # noqa: S308 (an escaped URL and formatted numbers only)
