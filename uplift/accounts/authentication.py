"""API authentication by per-user token (:class:`uplift.accounts.models.ApiToken`), and the rule
that a read-only token only reads.

``Authorization: Bearer upl_...`` (or ``Token upl_...``, as clients of the former DRF tokens
send it). The token is found by its prefix and its key checked against the stored SHA-256 in
constant time; an expired or revoked token, or one whose user is disabled, answers 401 saying
so. The call then acts as the token's user: the same permissions and scope as their pages.

Kept free of DRF's views: DRF imports its default authentication and permission classes while
its own views module loads. Models are imported inside the functions for the same reason.
"""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

#: The words accepted before the key in the Authorization header (lower case).
KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``: the user whose token it is, with the token as ``request.auth``."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # another scheme (or none): let the next class try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: give the scheme and the key, e.g. “Bearer upl_…”.")
            )
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        return self.authenticate_key(key)

    def authenticate_key(self, key: str) -> tuple[Any, Any]:
        from .models import TOKEN_MARKER, TOKEN_PREFIX_LENGTH, ApiToken
        from .services import token_used

        token = None
        if key.startswith(TOKEN_MARKER) and len(key) > TOKEN_PREFIX_LENGTH:
            token = ApiToken.objects.select_related("user").filter(prefix=key[:TOKEN_PREFIX_LENGTH]).first()
        # Nothing about the token is told before the key is proved right.
        if token is None or not token.matches(key):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked: create a new one."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s: create a new one.")
                % {"date": formats.date_format(timezone.localtime(token.expires_at), "Y-m-d H:i")}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account this token belongs to is disabled."))
        token_used(token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        # Makes an unauthenticated call answer 401 (with this challenge) rather than 403.
        return 'Bearer realm="api"'


class TokenScopePermission(BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS): any other method is 403.

    Applies to calls authenticated by an :class:`~uplift.accounts.models.ApiToken`; a signed-in
    browser session is not narrowed. Installed globally (``DEFAULT_PERMISSION_CLASSES``) and on
    every view that sets its own permission classes (the workflow steps of ``core.api``).
    """

    message = gettext_lazy("This API token is read-only: it can only read (GET, HEAD, OPTIONS).")

    def has_permission(self, request: Any, view: Any) -> bool:
        from .choices import TokenScope
        from .models import ApiToken

        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken) and token.scope != TokenScope.WRITE:
            return request.method in SAFE_METHODS
        return True
