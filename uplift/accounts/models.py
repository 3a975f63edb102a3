"""Who uses Uplift: users, the organisations they act for, and their role in each."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel, ScopedQuerySet

from .choices import ADMIN_ROLES, ROLE_ORGANISATION_KIND, OrganisationKind, Role, TokenScope


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager, with ``visible_to(user)`` like every scoped model."""


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their memberships."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for an initial or reset password: the user must choose their own on next sign-in."),
    )

    objects = ScopedUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:user_detail", args=[self.pk])


class Organisation(ScopedModel):
    """A body users act for: a bureau at a region, an institution, an enterprise or an expert panel.

    Exactly the link that matches its kind is set: a bureau has a region, an institution
    organisation points at its ServiceInstitution record, an enterprise organisation at its
    Enterprise.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    institution = models.OneToOneField(
        "registry.ServiceInstitution",
        verbose_name=_("service institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )
    enterprise = models.OneToOneField(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="organisation_kind_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.kind == OrganisationKind.BUREAU and not self.region_id:
            errors["region"] = _("A bureau must have the region it governs.")
        if self.kind == OrganisationKind.INSTITUTION and not self.institution_id:
            errors["institution"] = _("Choose the service institution this organisation is.")
        if self.kind == OrganisationKind.ENTERPRISE and not self.enterprise_id:
            errors["enterprise"] = _("Choose the enterprise this organisation is.")
        if errors:
            raise ValidationError(errors)


class Membership(ScopedModel):
    """A user's role in an organisation; the source of every permission and scope they have."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.organisation_id and ROLE_ORGANISATION_KIND[Role(self.role)] != self.organisation.kind:
            raise ValidationError({"role": _("This role cannot be held in this kind of organisation.")})
        if self.user_id and self.is_active:
            others = set(
                Membership.objects.filter(user_id=self.user_id, is_active=True)
                .exclude(pk=self.pk)
                .values_list("role", flat=True)
            )
            if self.role in ADMIN_ROLES and others - {self.role}:
                raise ValidationError(
                    {
                        "role": _(
                            "An administrator role cannot be combined with any other role "
                            "(separation of duties)."
                        )
                    }
                )
            if others & ADMIN_ROLES and self.role not in others:
                raise ValidationError(
                    {"role": _("This user holds an administrator role and cannot hold another one.")}
                )


class SignInAttempt(models.Model):
    """One attempt to sign in, successful or not: the basis of lockout and of the sign-in audit."""

    username = models.CharField(_("user name"), max_length=150, db_index=True)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("time"), db_index=True)
    succeeded = models.BooleanField(_("succeeded"))

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {'ok' if self.succeeded else 'failed'}"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so a new one cannot repeat them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("password history")
        ordering = ["-set_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"


#: Every API key starts with this marker, so a leaked key is recognisable (secret scanners, logs).
TOKEN_MARKER = "upl_"
#: How many leading characters of a key are stored in clear to find and name it: the marker and 8
#: random characters (48 bits), so prefixes do not collide in practice and name a token uniquely.
TOKEN_PREFIX_LENGTH = len(TOKEN_MARKER) + 8
#: Days a new token lasts unless its creator says otherwise, and the most it may last.
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


def token_default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=TOKEN_DEFAULT_DAYS)


def token_new_key() -> str:
    """A new random key: the marker and 32 random bytes, URL-safe (``upl_`` + 43 characters)."""
    return TOKEN_MARKER + secrets.token_urlsafe(32)


def token_hash(key: str) -> str:
    """The SHA-256 (hex) of a key, as stored.

    A plain, unsalted SHA-256 is enough here, unlike for passwords: a key is 256 random bits, not
    something a person chose, so there is no dictionary to try and a brute force is hopeless; a
    slow hash (PBKDF2, Argon2) would only cost time on every API call. Only this hash is stored:
    a copy of the database does not give anyone a usable key.
    """
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(ScopedModel):
    """A key a user's script or system presents to the API instead of signing in
    (``Authorization: Bearer upl_...``).

    It acts as its user, with their permissions and scope, narrowed by its own ``scope`` (a read
    token may only read). The key is shown once, at creation; only its SHA-256 is stored, with its
    first characters in clear (``prefix``) to find it and to name it in lists. A token expires
    (at most a year after it is made) and can be revoked at any time; it is never deleted, so the
    audit trail keeps naming it. See docs/security.md.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for: the script or system using it.")
    )
    prefix = models.CharField(_("prefix"), max_length=TOKEN_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    scope = models.CharField(
        _("scope"),
        max_length=10,
        choices=TokenScope.choices,
        default=TokenScope.READ,
        help_text=_("A read-only token can read what its user may read, and change nothing."),
    )
    expires_at = models.DateTimeField(
        _("expires at"),
        default=token_default_expiry,
        help_text=_("At most a year from now."),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    #: Not copied into the audit trail (a hash of a random key reveals nothing, but has no reader).
    audit_exclude = ("key_hash",)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self) -> None:
        errors = {}
        if self.name and not self.name.strip():
            errors["name"] = _("Say what the token is for.")
        if self.expires_at is not None and self._state.adding:
            now = timezone.now()
            if self.expires_at <= now:
                errors["expires_at"] = _("The expiry must be in the future.")
            elif self.expires_at > now + datetime.timedelta(days=TOKEN_MAX_DAYS):
                errors["expires_at"] = _("A token may last at most %(days)s days.") % {"days": TOKEN_MAX_DAYS}
        if self.user_id and not self.user.is_active:
            errors["user"] = _("This account is disabled: it cannot have a token.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        """Whether the token authenticates now: neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return str(_("Revoked"))
        return str(_("Expired")) if self.is_expired else str(_("Active"))

    def matches(self, key: str) -> bool:
        """Whether ``key`` is this token's key (compared in constant time)."""
        return hmac.compare_digest(token_hash(key), self.key_hash)
