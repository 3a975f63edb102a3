"""``{{ amount|yuan }}`` (¥1,300,000) and ``{{ amount|yuan_short }}`` (1.3亿元, ¥130M): amounts of
money in the one form :mod:`uplift.core.money` defines. A short figure goes with its full one::

    <span title="{{ amount|yuan }}">{{ amount|yuan_short }}</span>
"""

from __future__ import annotations

from typing import Any

from django import template

from uplift.core import money

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """1300000 -> "¥1,300,000"; None -> "—"."""
    return money.yuan(value)


@register.filter
def yuan_short(value: Any) -> str:
    """142490000 -> "1.42亿元" (Chinese) or "¥142M" (English); None -> "—"."""
    return money.yuan_short(value)
