from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from uplift.core.views import ObjectViews

from . import filtersets, forms, services, tables
from .access import principal_of
from .models import Membership, Organisation

organisation_views = ObjectViews(
    model=Organisation,
    table=tables.OrganisationTable,
    filterset=filtersets.OrganisationFilterSet,
    form=forms.OrganisationForm,
    services=services,
    select_related=("region", "institution", "enterprise"),
    detail_fields=["name", "kind", "region", "institution", "enterprise"],
)
membership_views = ObjectViews(
    model=Membership,
    table=tables.MembershipTable,
    filterset=filtersets.MembershipFilterSet,
    form=forms.MembershipForm,
    services=services,
    select_related=("user", "organisation"),
    detail_fields=["user", "organisation", "role", "is_active"],
)


@login_required
def profile(request):
    """The signed-in user's own account: roles, organisations and what they cover."""
    memberships = request.user.memberships.select_related("organisation__region").order_by("role")
    return render(
        request,
        "accounts/profile.html",
        {"memberships": memberships, "principal": principal_of(request.user)},
    )
