import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet

from .choices import OrganisationKind, Role
from .models import Membership, Organisation, User


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
