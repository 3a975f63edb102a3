"""Every write to accounts: users, organisations and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from uplift.core import audit
from uplift.core.services import create_object, update_object

from .models import Membership, Organisation, User


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str | None = None, **data: Any) -> User:
    """Create a user; with no password the account cannot sign in until one is set."""
    user = User(username=username, **data)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
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
