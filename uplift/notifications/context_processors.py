"""The header's bell: how many unread notifications the signed-in user has."""

from __future__ import annotations

from typing import Any

from .selectors import unread_count


class UnreadCount:
    """A number the template reads on first use, then remembers: one indexed count per page,
    none if the page does not show it (templates call a callable variable)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            self.value = unread_count(self.user)
        return self.value


def unread(request):
    """``unread_notifications`` for a signed-in user; nothing (and no query) for anonymous ones."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadCount(user)}
