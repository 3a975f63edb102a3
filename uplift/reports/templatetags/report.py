"""Filters of the programme report's PDF template: figures grouped by thousands, a ratio as a
percentage, and a dictionary read by key (the report's tables are keyed by indicator kind)."""

from __future__ import annotations

from typing import Any

from django import template

from uplift.programmes.templatetags.figures import grouped

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """10364 -> "10,364"; None -> "—"."""
    return grouped(value)


@register.filter
def percent(ratio: Any) -> str:
    """0.245 -> "24.5%"; None -> ""."""
    return "" if ratio is None else f"{100 * float(ratio):.1f}%"


@register.filter
def lookup(mapping: dict | None, key: Any) -> Any:
    """``mapping[key]``, or None."""
    return (mapping or {}).get(key)
