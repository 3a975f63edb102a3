from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    BUREAU = "bureau", _("Market-regulation bureau")
    INSTITUTION = "institution", _("Service institution")
    ENTERPRISE = "enterprise", _("Enterprise")
    EXPERT_PANEL = "expert_panel", _("Expert panel")


class Role(models.TextChoices):
    OFFICER = "officer", _("Programme officer")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    EXPERT = "expert", _("Expert")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


#: The roles of the separation of duties (三员分立): no account may hold two of them, and none
#: of them sees programme data.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

#: Which organisation kind each role belongs to (admin roles belong to a bureau).
ROLE_ORGANISATION_KIND = {
    Role.OFFICER: OrganisationKind.BUREAU,
    Role.INSTITUTION_STAFF: OrganisationKind.INSTITUTION,
    Role.ENTERPRISE_USER: OrganisationKind.ENTERPRISE,
    Role.EXPERT: OrganisationKind.EXPERT_PANEL,
    Role.SYSTEM_ADMIN: OrganisationKind.BUREAU,
    Role.SECURITY_ADMIN: OrganisationKind.BUREAU,
    Role.AUDIT_ADMIN: OrganisationKind.BUREAU,
}


class TokenScope(models.TextChoices):
    """What an API token may do: read (GET, HEAD, OPTIONS only) or read and write."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")
