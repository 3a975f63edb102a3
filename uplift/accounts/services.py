"""Every write to accounts: users, organisations and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from uplift.core import audit
from uplift.core.services import create_object, update_object

from .models import Membership, Organisation, PasswordHistory, SignInAttempt, User


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
    security administrator resetting it), the user must choose their own at next sign-in.
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
    return user


def user_update(*, actor: Any, instance: User, **data: Any) -> User:
    """Change a user's name, contact details or whether they may sign in (not the password)."""
    data.pop("password", None)
    return update_object(instance, actor=actor, data=data)
