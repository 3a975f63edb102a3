"""Every write to accounts: users, organisations, memberships and API tokens."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.core import audit
from uplift.core.services import create_object, update_object

from .choices import TokenScope
from .models import (
    TOKEN_PREFIX_LENGTH,
    ApiToken,
    Membership,
    Organisation,
    PasswordHistory,
    SignInAttempt,
    User,
    token_default_expiry,
    token_hash,
    token_new_key,
)


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str | None = None, **data: Any) -> User:
    """Create a user; with no password the account cannot sign in until one is set.

    A password given by an administrator is an initial one: the user must replace it at first
    sign-in (``must_change_password``), unless the caller says otherwise.
    """
    data.setdefault("must_change_password", actor is not None and bool(password))
    user = User(username=username, **data)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    if password:
        PasswordHistory.objects.create(user=user, password=user.password, set_at=timezone.now())
    after = audit.snapshot(user)
    after.pop("password", None)
    audit.record(actor=actor, action="accounts.user.create", obj=user, after=after)
    return user


def organisation_create(*, actor: Any, **data: Any) -> Organisation:
    return create_object(Organisation, actor=actor, data=data)


def organisation_update(*, actor: Any, instance: Organisation, **data: Any) -> Organisation:
    return update_object(instance, actor=actor, data=data)


def membership_create(*, actor: Any, **data: Any) -> Membership:
    """Give a user a role in an organisation (role assignment is audited like any write)."""
    return create_object(Membership, actor=actor, data=data)


def membership_update(*, actor: Any, instance: Membership, **data: Any) -> Membership:
    return update_object(instance, actor=actor, data=data)


#: How many previous passwords a new one may not repeat.
PASSWORD_HISTORY = 5


@transaction.atomic
def sign_in_attempt_record(*, username: str, address: str | None, user: User | None, succeeded: bool) -> None:
    """Record one sign-in attempt (the lockout counts these) and audit it."""
    SignInAttempt.objects.create(
        username=username[:150], address=address, at=timezone.now(), succeeded=succeeded
    )
    audit.record(
        actor=user if succeeded else None,
        action="accounts.user.sign_in" if succeeded else "accounts.user.sign_in_failed",
        object_type="accounts.user",
        object_repr=username[:150],
        obj=user if succeeded else None,
    )


def sign_in_refused_record(*, username: str, address: str | None) -> None:
    """Audit an attempt refused because of a lockout. Not counted as a failure: that would extend
    the lock for as long as someone keeps trying."""
    audit.record(
        actor=None,
        action="accounts.user.sign_in_locked",
        object_type="accounts.user",
        object_repr=username[:150],
    )


@transaction.atomic
def password_change(*, actor: Any, user: User, password: str) -> User:
    """Set ``user``'s password after the policy (validators, history) accepts it.

    When the actor is the user, the forced-change flag is cleared; when it is someone else (a
    security administrator resetting it), the user must choose their own at next sign-in, and
    the user's API tokens are revoked: a reset answers a lost or stolen password, and a key
    issued under it may be in the same hands. (A user changing their own password keeps them.)
    """
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = actor is None or getattr(actor, "pk", None) != user.pk
    user.save(update_fields=["password", "must_change_password"])
    PasswordHistory.objects.create(user=user, password=user.password, set_at=timezone.now())
    stale = user.password_history.order_by("-set_at").values_list("pk", flat=True)[PASSWORD_HISTORY:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    audit.record(
        actor=actor,
        action="accounts.user.password_change",
        obj=user,
        after={"must_change_password": user.must_change_password},
    )
    if user.must_change_password:
        for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            token_revoke(actor=actor, token=token)
    return user


def user_update(*, actor: Any, instance: User, **data: Any) -> User:
    """Change a user's name, contact details or whether they may sign in (not the password)."""
    data.pop("password", None)
    return update_object(instance, actor=actor, data=data)


# --- API tokens ----------------------------------------------------------------------------------


@transaction.atomic
def token_create(
    *,
    actor: Any,
    user: User,
    name: str,
    scope: str = TokenScope.READ,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue an API token to ``user``; answer the token and its key, the only time the key exists.

    Only its SHA-256 is stored. A user issues their own tokens; nobody issues one for someone else
    (that would be a key to act as them) — only an operator, with ``uplift token create``
    (``actor`` None). ``expires_at`` defaults to 90 days from now and may be at most a year away.
    """
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        raise ValidationError({"user": _("An API token can only be created by the user it belongs to.")})
    if scope not in TokenScope.values:
        # Checked here too (full_clean does), so the message names the choices.
        raise ValidationError(
            {"scope": _("Choose the scope: %(choices)s.") % {"choices": ", ".join(TokenScope.values)}}
        )
    key = token_new_key()
    while ApiToken.objects.filter(prefix=key[:TOKEN_PREFIX_LENGTH]).exists():
        key = token_new_key()  # a prefix already in use (one chance in 2^48): draw again
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        scope=scope,
        expires_at=expires_at if expires_at is not None else token_default_expiry(),
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=token_hash(key),
    )
    token.full_clean()
    token.save()
    audit.record(actor=actor, action="accounts.apitoken.create", obj=token, after=audit.snapshot(token))
    return token, key


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on it authenticates nothing. Its owner revokes it, or the security
    administrator (whoever may see it: the pages and API read it through ``visible_to``)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token was already revoked."))
    before = audit.snapshot(token)
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    token.version += 1
    token.save(update_fields=["revoked_at", "revoked_by", "version", "updated_at"])
    audit.record(
        actor=actor, action="accounts.apitoken.revoke", obj=token, before=before, after=audit.snapshot(token)
    )
    return token


#: A token's last use is written at most this often (not on every call: a write per request).
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


def token_used(token: ApiToken, *, at: datetime.datetime | None = None) -> None:
    """Note that ``token`` authenticated a call, at most once a minute.

    Bookkeeping, like Django's ``last_login``: not audited, and not a change of the record (its
    version stays). One conditional UPDATE, so concurrent calls write it once.
    """
    at = at or timezone.now()
    if token.last_used_at is not None and at - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    stale = ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=at - TOKEN_USE_RESOLUTION)
    if stale.update(last_used_at=at):
        token.last_used_at = at


# --- Second factor (TOTP) ------------------------------------------------------------------------


def _totp_device_model():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice


@transaction.atomic
def totp_begin(*, actor: User):
    """Start enrolling the actor's authenticator app: a new secret, not yet in force.

    The device counts only once :func:`totp_confirm` has checked a code from the app, so a secret
    that never reached the phone locks no one out. Starting again replaces an unconfirmed secret.
    """
    device_model = _totp_device_model()
    if device_model.objects.filter(user=actor, confirmed=True).exists():
        raise ValidationError(_("A second factor is already set up; turn it off first to set up another."))
    device_model.objects.filter(user=actor, confirmed=False).delete()
    device = device_model.objects.create(user=actor, name=_("Authenticator app"), confirmed=False)
    audit.record(actor=actor, action="accounts.user.totp_begin", obj=actor)
    return device


def totp_confirm(*, actor: User, token: str):
    """Put the actor's new authenticator in force once it shows a valid six-digit code.

    A wrong code is refused after the transaction, so django-otp's throttling of it stays written.
    """
    with transaction.atomic():
        device = (
            _totp_device_model()
            .objects.select_for_update()
            .filter(user=actor, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise ValidationError(_("Start the set-up again: no new authenticator is waiting."))
        _check_throttle(device)
        accepted = device.verify_token((token or "").strip())
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record(
                actor=actor, action="accounts.user.totp_enable", obj=actor, after={"second_factor": True}
            )
    if not accepted:
        raise ValidationError(
            {"token": _("This code is not the one the app shows now. Check the phone's clock and try again.")}
        )
    return device


def totp_device(user: Any):
    """The user's authenticator in force, or None."""
    if not getattr(user, "pk", None):
        return None
    return _totp_device_model().objects.filter(user_id=user.pk, confirmed=True).first()


def totp_verify(*, user: User, token: str) -> bool:
    """Whether ``token`` is the current code of the user's authenticator (each code works once;
    failures slow further tries down, django-otp's throttling)."""
    with transaction.atomic():
        device = _totp_device_model().objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return False
        _check_throttle(device)
        return device.verify_token((token or "").strip())


def _check_throttle(device: Any) -> None:
    """Refuse a try while django-otp's delay after wrong codes runs (it doubles with each one)."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        wait = 1
        locked_until = (data or {}).get("locked_until")
        if locked_until is not None:
            wait = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
        raise ValidationError(
            {"token": _("Too many wrong codes: wait %(seconds)s seconds and try again.") % {"seconds": wait}},
            code="throttled",
        )


def totp_disable(*, actor: User, token: str) -> None:
    """The user turns their second factor off, proving it with a current code.

    Not one transaction: a wrong code's throttling must stay written when the refusal is raised.
    """
    if totp_device(actor) is None:
        raise ValidationError(_("No second factor is set up."))
    if not totp_verify(user=actor, token=token):
        raise ValidationError({"token": _("This code is not the one the app shows now.")})
    with transaction.atomic():
        _totp_device_model().objects.filter(user=actor).delete()
        audit.record(
            actor=actor, action="accounts.user.totp_disable", obj=actor, after={"second_factor": False}
        )


@transaction.atomic
def totp_reset(*, actor: Any, user: User) -> User:
    """The security administrator removes a user's second factor (a lost phone); the user signs in
    with the password alone and may set up a new one."""
    if getattr(actor, "pk", None) == getattr(user, "pk", None):
        raise ValidationError(_("Turn off your own second factor on your account page, with a code."))
    deleted, _rows = _totp_device_model().objects.filter(user=user).delete()
    if not deleted:
        raise ValidationError(_("This user has no second factor to reset."))
    audit.record(actor=actor, action="accounts.user.totp_reset", obj=user, after={"second_factor": False})
    return user
