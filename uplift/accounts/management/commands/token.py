"""`uplift token create USERNAME --name NAME [--scope read|write] [--days N]`: issue an API token
and print its key, once; `uplift token revoke PREFIX`: revoke the token whose key starts so.

For an operator (the actor is "system" in the audit trail); users create and revoke their own
tokens on their *My API tokens* page.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from uplift.accounts.choices import TokenScope
from uplift.accounts.models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, ApiToken, User
from uplift.accounts.services import token_create, token_revoke


def _problem(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "API tokens: `create USERNAME --name NAME [--scope read|write] [--days N]`, `revoke PREFIX`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token and print its key (shown this once).")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        create.add_argument(
            "--days",
            type=int,
            default=TOKEN_DEFAULT_DAYS,
            help=f"Days until it expires (default {TOKEN_DEFAULT_DAYS}, at most {TOKEN_MAX_DAYS}).",
        )
        revoke = sub.add_parser("revoke", help="Revoke the token whose key starts with PREFIX.")
        revoke.add_argument("prefix", help="The token's prefix, as lists show it (upl_ and 8 characters).")

    def handle(self, *args, **options):
        if options["action"] == "create":
            self.create(options)
        else:
            self.revoke(options["prefix"])

    def create(self, options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        if not 1 <= options["days"] <= TOKEN_MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {TOKEN_MAX_DAYS}.")
        expires_at = timezone.now() + datetime.timedelta(days=options["days"])
        try:
            token, key = token_create(
                actor=None, user=user, name=options["name"], scope=options["scope"], expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError(_problem(exc)) from exc
        self.stderr.write(
            f"Token {token.prefix}… ({token.scope}) for {user.username}, expires "
            f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}. The key is shown this once:"
        )
        self.stdout.write(key)

    def revoke(self, prefix: str):
        token = ApiToken.objects.filter(prefix=prefix.strip().rstrip("…")).first()
        if token is None:
            raise CommandError(f"No token has the prefix {prefix!r}.")
        try:
            token_revoke(actor=None, token=token)
        except ValidationError as exc:
            raise CommandError(_problem(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Revoked {token} of {token.user.username}."))
