import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from uplift.core.tables import BaseTable

from .models import ApiToken, Membership, Organisation, User


class OrganisationTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Organisation
        fields = ("name", "kind", "region", "institution", "enterprise")


class MembershipTable(BaseTable):
    user = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ("user", "organisation", "role", "is_active")


class UserTable(BaseTable):
    username = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = User
        fields = (
            "username",
            "display_name",
            "email",
            "phone",
            "is_active",
            "must_change_password",
            "last_login",
        )


class ApiTokenTable(BaseTable):
    name = tables.Column(linkify=True)
    status = tables.Column(verbose_name=_("Status"), accessor="status", orderable=False)

    class Meta(BaseTable.Meta):
        model = ApiToken
        fields = (
            "name",
            "prefix",
            "user",
            "scope",
            "status",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "created_at",
        )
