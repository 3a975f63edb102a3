"""Who uses Uplift: users, the organisations they act for, and their role in each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel, ScopedQuerySet

from .choices import ADMIN_ROLES, ROLE_ORGANISATION_KIND, OrganisationKind, Role


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
