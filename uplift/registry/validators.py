"""Validation of the identifiers the programme's records carry."""

from __future__ import annotations

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
