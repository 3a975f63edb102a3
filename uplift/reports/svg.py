"""The dashboard's charts drawn as SVG, for the PDF (WeasyPrint runs no JavaScript, so no ECharts).

Each function takes a chart spec of :mod:`uplift.programmes.charts` — the same data the dashboard
draws — and returns the ``<svg>`` element as safe markup. Every text is escaped. Bars are drawn
horizontally so that long Chinese category names read on one line.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Series colours, in the dashboard's order (the stylesheet's palette).
COLOURS = ("#2f6fb2", "#e08a2e", "#3c9a5f", "#8d5cb5")
FONT = 11
WIDTH = 640


def _number(value: float) -> str:
    """A label: no decimals for large values, one for small ones."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _text(
    x: float, y: float, text: Any, *, anchor: str = "start", size: int = FONT, fill: str = "#333"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(str(text))}</text>"
    )


def _legend(series: list[dict[str, Any]], y: float, x: float = 0) -> str:
    parts = []
    for i, s in enumerate(series):
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>'
        )
        parts.append(_text(x + 14, y, s["name"]))
        x += 28 + FONT * len(str(s["name"]))
    return "".join(parts)


def bars(spec: dict[str, Any], *, width: int = WIDTH) -> SafeString:
    """Horizontal bars, one group per category and one bar per series, with the value at the end
    of each bar; a spec's ``intervals`` are drawn as whiskers and its ``mark`` (a target of 100%)
    as a dashed line."""
    categories = [str(c) for c in spec["categories"]]
    series = spec["series"]
    unit = spec.get("unit", "")
    values = [v for s in series for v in s["data"] if v is not None]
    intervals = spec.get("intervals") or []
    highs = [hi for per in intervals for lo_hi in per if lo_hi for hi in lo_hi[1:] if hi is not None]
    top = max([*values, *highs, spec.get("mark") or 0, 1])
    label_width = min(220, 14 + FONT * max((_width(c) for c in categories), default=4))
    plot = width - label_width - 70
    bar = 14
    group = bar * len(series) + 10
    legend = 22 if len(series) > 1 else 0
    height = legend + group * len(categories) + 24
    scale = plot / top
    parts = [_legend(series, 12)] if legend else []
    for i, category in enumerate(categories):
        y0 = legend + i * group + 4
        parts.append(_text(label_width - 8, y0 + group / 2, category, anchor="end"))
        for j, s in enumerate(series):
            value = s["data"][i]
            y = y0 + j * bar
            if value is None:
                parts.append(_text(label_width + 4, y + bar - 3, "—", fill="#999"))
                continue
            w = max(0.0, float(value)) * scale
            colour = COLOURS[j % len(COLOURS)]
            parts.append(
                f'<rect x="{label_width}" y="{y:.1f}" width="{w:.1f}" height="{bar - 2}" fill="{colour}"/>'
            )
            if j < len(intervals) and intervals[j][i]:
                lo, hi = intervals[j][i]
                x1, x2, mid = label_width + lo * scale, label_width + hi * scale, y + (bar - 2) / 2
                parts.append(
                    f'<path d="M{x1:.1f},{mid:.1f}H{x2:.1f}M{x1:.1f},{mid - 4:.1f}V{mid + 4:.1f}'
                    f'M{x2:.1f},{mid - 4:.1f}V{mid + 4:.1f}" stroke="#222" stroke-width="1" fill="none"/>'
                )
                w = max(w, hi * scale)
            parts.append(_text(label_width + w + 4, y + bar - 3, _number(float(value)) + unit))
    if spec.get("mark"):
        x = label_width + spec["mark"] * scale
        parts.append(
            f'<path d="M{x:.1f},{legend}V{height - 20}" stroke="#c0392b" stroke-dasharray="4 3" fill="none"/>'
        )
        parts.append(
            _text(
                x,
                height - 6,
                f"{spec.get('mark_label', '')} {_number(spec['mark'])}{unit}",
                anchor="middle",
                fill="#c0392b",
            )
        )
    return _svg(width, height, parts, spec)


def band(spec: dict[str, Any], *, width: int = WIDTH, height: int = 240) -> SafeString:
    """A line over categories (quarters) with its interval as a shaded band, on a 0–100 axis; a
    spec's ``periods`` shade the programme's quarters."""
    categories = [str(c) for c in spec["categories"]]
    data = spec["series"][0]["data"]
    lower, upper = spec.get("lower") or [], spec.get("upper") or []
    left, right, top, bottom = 40, 24, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(categories) - 1)

    def x(i: int) -> float:
        return left + plot_w * i / n if len(categories) > 1 else left + plot_w / 2

    def y(v: float) -> float:
        return top + plot_h * (1 - v / 100)

    parts = []
    periods = spec.get("periods") or {}
    if periods.get("from") in categories and periods.get("to") in categories:
        a, b = categories.index(periods["from"]), categories.index(periods["to"])
        shade = max(2.0, x(b) - x(a))
        parts.append(f'<rect x="{x(a):.1f}" y="{top}" width="{shade:.1f}" height="{plot_h}" fill="#eef4fb"/>')
        parts.append(_text(x(a) + 4, top + 12, periods.get("label", ""), fill="#2f6fb2"))
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<path d="M{left},{y(tick):.1f}H{width - right}" stroke="#ddd" fill="none"/>')
        parts.append(_text(left - 4, y(tick) + 4, f"{tick}%", anchor="end", size=9))
    # The band, then the line, in runs between quarters with no batch (a gap stays a gap).
    for run in _runs([i for i, v in enumerate(data) if v is not None]):
        if all(lower[i] is not None and upper[i] is not None for i in run) and lower:
            ring = [(x(i), y(upper[i])) for i in run] + [(x(i), y(lower[i])) for i in reversed(run)]
            parts.append(
                '<polygon points="'
                + " ".join(f"{px:.1f},{py:.1f}" for px, py in ring)
                + '" fill="#2f6fb2" fill-opacity="0.18"/>'
            )
        line = " ".join(f"{x(i):.1f},{y(data[i]):.1f}" for i in run)
        parts.append(f'<polyline points="{line}" stroke="#2f6fb2" stroke-width="2" fill="none"/>')
        parts.extend(f'<circle cx="{x(i):.1f}" cy="{y(data[i]):.1f}" r="2.5" fill="#2f6fb2"/>' for i in run)
    step = max(1, len(categories) // 10)
    for i, c in enumerate(categories):
        if i % step == 0 or i == len(categories) - 1:
            parts.append(_text(x(i), height - bottom + 14, c, anchor="middle", size=9))
    parts.append(
        f'<rect x="{left}" y="{height - 11}" width="10" height="8" fill="#2f6fb2" fill-opacity="0.18"/>'
    )
    parts.append(_text(left + 14, height - 3, spec.get("band_label", ""), size=9))
    return _svg(width, height, parts, spec)


def chart(spec: dict[str, Any] | None) -> SafeString:
    """The spec drawn the way its ``kind`` says (nothing without a spec)."""
    if not spec:
        return mark_safe("")
    return band(spec) if spec.get("kind") == "band" else bars(spec)


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _width(text: str) -> float:
    """Roughly how many Latin letters wide ``text`` is (a CJK character counts as two)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


def _svg(width: int, height: float, parts: list[str], spec: dict[str, Any]) -> SafeString:
    title = escape(str(spec.get("title") or ""))
    return mark_safe(  # every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" font-family="Noto Sans CJK SC, sans-serif">'
        f"<title>{title}</title>{''.join(parts)}</svg>"
    )
