"""Amounts of money in yuan, written one way everywhere (pages, tables, cards, reports).

* :func:`yuan` — the full figure, the same in every language: ``¥1,300,000``; cents only when
  there are any (``¥1,300,000.50``). Tables, detail pages and drill-downs use it.
* :func:`yuan_short` — for places too narrow for the full figure (dashboard cards, chart labels),
  always with the full figure beside it in a ``title``:

  ========================  =============  ==============
  amount                    Chinese        English
  ========================  =============  ==============
  142,490,000               1.42亿元        ¥142M
  130,000,000               1.3亿元         ¥130M
  5,800,000                 580万元         ¥5.8M
  12,345                    1.23万元        ¥12.3K
  9,999                     ¥9,999         ¥9,999
  1,500,000,000             15亿元          ¥1.5B
  ========================  =============  ==============

  Chinese counts in 万 (10⁴) and 亿 (10⁸) as bureau reports do (萬/億 in Traditional Chinese);
  English in K, M and B (10³, 10⁶, 10⁹), as English financial tables do. A short figure keeps
  three significant digits (rounded half up) but never rounds away a whole unit: 12,345,678 is
  ``1,235万元``, not ``1,230万元``. Below 10,000 the full figure is already short.

A negative amount carries a leading minus (``-¥1,300``, ``-580万元``); None or an empty value is
``—``. Digits are grouped by the reader's locale (:func:`django.utils.formats.number_format`), as
every other figure is. Spreadsheet exports keep the number itself, never these strings.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language

#: What an absent amount shows.
NOTHING = "—"

#: Short-form units per language, largest first: (from, size, prefix, suffix).
_CHINESE_SIMPLIFIED = (
    (Decimal(10) ** 8, Decimal(10) ** 8, "", "亿元"),
    (Decimal(10) ** 4, Decimal(10) ** 4, "", "万元"),
)
_CHINESE_TRADITIONAL = (
    (Decimal(10) ** 8, Decimal(10) ** 8, "", "億元"),
    (Decimal(10) ** 4, Decimal(10) ** 4, "", "萬元"),
)
_ENGLISH = (
    (Decimal(10) ** 9, Decimal(10) ** 9, "¥", "B"),
    (Decimal(10) ** 6, Decimal(10) ** 6, "¥", "M"),
    # From 10,000: below it the full figure (¥9,999) is as short as ¥10.0K.
    (Decimal(10) ** 4, Decimal(10) ** 3, "¥", "K"),
)


def _decimal(value: Any) -> Decimal | None:
    """The amount as a Decimal (a float through its shortest repr), or None if it is none."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def _grouped(amount: Decimal) -> str:
    """``amount`` (not negative) with the locale's grouping and the decimals it has."""
    return number_format(amount, force_grouping=True)


def yuan(value: Any) -> str:
    """``¥1,300,000``; ``¥1,300,000.50`` when there are cents; ``-¥1,300``; ``—`` for None.

    A value that is not a number is returned as it is (a table cell already rendered, say).
    """
    amount = _decimal(value)
    if amount is None:
        return NOTHING if value is None or value == "" else str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    places = Decimal(1) if amount == amount.to_integral_value() else Decimal("0.01")
    return f"{sign}¥{_grouped(amount.quantize(places, rounding=ROUND_HALF_UP))}"


def _units(language: str | None) -> tuple[tuple[Decimal, Decimal, str, str], ...]:
    language = (language or get_language() or "zh-hans").lower()
    if language.startswith("zh"):
        traditional = language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
        return _CHINESE_TRADITIONAL if traditional else _CHINESE_SIMPLIFIED
    return _ENGLISH


def _three_digits(scaled: Decimal) -> Decimal:
    """``scaled`` to three significant digits, keeping every digit of its whole part."""
    whole = len(str(int(scaled))) if scaled >= 1 else 1
    decimals = max(0, 3 - whole)
    return scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _plain(number: Decimal) -> Decimal:
    """1.30 -> 1.3, 5.00 -> 5 (never 5E+2: the exponent stays non-positive)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def yuan_short(value: Any, language: str | None = None) -> str:
    """The amount for a narrow place: ``1.42亿元`` / ``580万元`` in Chinese, ``¥142M`` / ``¥5.8M``
    in English (see the module's table); the full figure below 10,000; ``—`` for None."""
    amount = _decimal(value)
    if amount is None:
        return NOTHING if value is None or value == "" else str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    units = _units(language)
    for index, (start, size, prefix, suffix) in enumerate(units):
        if amount < start:
            continue
        scaled = _three_digits(amount / size)
        # Rounding up may reach the next unit: 99,999,999 is 1亿元, not 10,000万元.
        if index > 0 and scaled * size >= units[index - 1][0]:
            _, size, prefix, suffix = units[index - 1]
            scaled = _three_digits(amount / size)
        return f"{sign}{prefix}{_grouped(_plain(scaled))}{suffix}"
    return yuan(f"{sign}{amount}")
