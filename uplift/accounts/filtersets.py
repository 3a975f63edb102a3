import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet

from .choices import OrganisationKind, Role, TokenScope
from .models import ApiToken, Membership, Organisation, User


class OrganisationFilterSet(BaseFilterSet):
    search_fields = ("name",)
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))

    class Meta:
        model = Organisation
        fields = ["kind"]


class MembershipFilterSet(BaseFilterSet):
    search_fields = ("user__username", "user__display_name", "organisation__name")
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class UserFilterSet(BaseFilterSet):
    search_fields = ("username", "display_name", "email", "phone")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="memberships__role", distinct=True, label=_("Role")
    )

    class Meta:
        model = User
        fields = ["is_active", "must_change_password"]


class ApiTokenFilterSet(BaseFilterSet):
    """Tokens by name, prefix or user; by scope; by state (the security administrator's view of
    everyone's, to find a leaked one by its prefix)."""

    STATES = (("active", _("Active")), ("expired", _("Expired")), ("revoked", _("Revoked")))

    search_fields = ("name", "prefix", "user__username", "user__display_name")
    scope = django_filters.ChoiceFilter(choices=TokenScope.choices, label=_("Scope"))
    state = django_filters.ChoiceFilter(choices=STATES, method="in_state", label=_("Status"))

    class Meta:
        model = ApiToken
        fields = ["scope"]

    def in_state(self, qs, name, value):
        now = timezone.now()
        if value == "active":
            return qs.filter(revoked_at__isnull=True, expires_at__gt=now)
        if value == "expired":
            return qs.filter(Q(revoked_at__isnull=True) & Q(expires_at__lte=now))
        if value == "revoked":
            return qs.filter(revoked_at__isnull=False)
        return qs
