"""Validation of the identifiers the programme's records carry."""

from __future__ import annotations

import datetime
import re
from collections.abc import Container

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: GB 32100-2015 alphabet: digits and capitals without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...


def uscc_check_character(first17: str) -> str:
    """The check character (position 18) of a unified social credit code's first 17 characters."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    """Upper-case, trimmed, full-width characters folded to ASCII."""
    value = (value or "").strip()
    value = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in value)
    return value.upper()


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless ``value`` is a valid unified social credit code (GB 32100-2015)."""
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="length",
            params={"n": len(value)},
        )
    bad = sorted({c for c in value if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("Character(s) %(chars)s cannot appear in a unified social credit code."),
            code="alphabet",
            params={"chars": " ".join(bad)},
        )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character is wrong: %(got)s, expected %(expected)s. Check the code for a typo."),
            code="check",
            params={"got": value[17], "expected": expected},
        )


# --- Standard numbers ----------------------------------------------------------------------------
# GB/T 1.1 numbering: a prefix saying who issues the standard, a serial (parts after a dot), a dash
# and the year. Local standards carry the province's (or city's) GB/T 2260 code: DB42/T is Hubei.

STANDARD_PATTERNS = {
    "national": re.compile(r"^GB (?P<serial>\d+(?:\.\d+)*)-(?P<year>\d{4})$"),
    "national_rec": re.compile(r"^GB/T (?P<serial>\d+(?:\.\d+)*)-(?P<year>\d{4})$"),
    "local": re.compile(r"^DB(?P<region>\d{2}|\d{4})(?:/T)? (?P<serial>\d+(?:\.\d+)*)-(?P<year>\d{4})$"),
    "group": re.compile(r"^T/(?P<body>[A-Z][A-Z0-9]{1,15}) (?P<serial>\d+(?:\.\d+)*)-(?P<year>\d{4})$"),
    "enterprise": re.compile(
        r"^Q/(?P<body>[A-Z0-9]{1,20}(?: [A-Z0-9]{1,20})?) "
        r"(?P<serial>[A-Z]?\d+(?:\.\d+)*[A-Z]?)-(?P<year>\d{4})$"
    ),
}
STANDARD_EXAMPLES = {
    "national": "GB 2760-2014",
    "national_rec": "GB/T 19580-2012",
    "local": "DB42/T 1234-2019",
    "group": "T/HBAIA 001-2019",
    "enterprise": "Q/QCAY 001-2018",
}


def normalise_standard_number(value: str) -> str:
    """Full-width folded, upper-case, one space between prefix and serial, a plain dash for the year.

    ``gb/t19580—2012`` and ``ＧＢ／Ｔ 19580－2012`` both become ``GB/T 19580-2012``.
    """
    value = (value or "").strip()
    value = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in value)
    value = value.replace("\u3000", " ").upper()
    value = re.sub(r"\s*[\u2010-\u2015\u2212-]\s*(\d{4})$", r"-\1", value)  # dashes before the year
    value = re.sub(r"\s*/\s*", "/", value)
    value = re.sub(r"\s+", " ", value)
    # A serial written straight after the prefix: GB/T19580-2012, DB42/T1234-2019, GB2760-2014.
    # (The code's digits are never split: DB4201/T 001-2019 is Wuhan's, not DB420 1/T.)
    value = re.sub(r"^(GB/T|GB|DB\d{2,4}(?!\d)/T|DB\d{2,4}(?!\d)/?)(?=\d)", r"\1 ", value)
    return re.sub(r"^(DB\d{2,4})/ ", r"\1 ", value)


def standard_level(number: str) -> str | None:
    """The level (a ``StandardLevel`` value) a well-formed standard number belongs to, or None."""
    for level, pattern in STANDARD_PATTERNS.items():
        if pattern.match(number):
            return level
    return None


def validate_standard_number(
    number: str, level: str | None = None, *, regions: Container[str] | None = None
) -> None:
    """Raise ValidationError unless ``number`` is a well-formed number (of ``level``, when given).

    A local standard's code must be a province or city of GB/T 2260 that exists in the registry:
    one of ``regions`` (the registry's codes, when the caller has read them for many numbers at
    once: an import), or else asked of the database.
    """
    found = standard_level(number)
    if found is None or (level and found != level):
        example = STANDARD_EXAMPLES.get(level or "", "GB/T 19580-2012, DB42/T 1234-2019, T/ABC 001-2019")
        raise ValidationError(
            _("“%(number)s” is not a standard number of this level; write it like %(example)s."),
            code="format",
            params={"number": number, "example": example},
        )
    match = STANDARD_PATTERNS[found].match(number)
    year = int(match["year"])
    if not 1949 <= year <= datetime.date.today().year + 1:
        raise ValidationError(
            _("The year %(year)s in the standard number is not plausible."),
            code="year",
            params={"year": year},
        )
    if found == "local":
        from .models import Region

        code = match["region"].ljust(6, "0")
        # Local standards are issued by mainland provinces (11-65) and their cities; the registry
        # also holds rows outside GB/T 2260 such as 990000 (a border zone), which issue none.
        mainland = "11" <= code[:2] <= "65"
        if not mainland or not (
            code in regions if regions is not None else Region.objects.filter(code=code).exists()
        ):
            raise ValidationError(
                _("DB%(code)s: no province or city has the code %(region)s."),
                code="region",
                params={"code": match["region"], "region": code},
            )
