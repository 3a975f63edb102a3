"""Password rules beyond Django's own (length, similarity to the user name, common, all digits)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = [
    ("lower", re.compile(r"[a-z]")),
    ("upper", re.compile(r"[A-Z]")),
    ("digit", re.compile(r"[0-9]")),
    ("symbol", re.compile(r"[^A-Za-z0-9]")),
]


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for _name, pattern in CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Use at least %(n)d kind of character: lower-case, upper-case, digits, symbols.",
            "Use at least %(n)d kinds of character: lower-case, upper-case, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Not one of the user's recent passwords (``accounts.PasswordHistory`` keeps their hashes)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        recent = user.password_history.order_by("-set_at").values_list("password", flat=True)
        from .services import PASSWORD_HISTORY

        if any(check_password(password, old) for old in recent[:PASSWORD_HISTORY]):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        return _("Do not reuse one of your recent passwords.")
