from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import FormView

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


class SignInView(auth_views.LoginView):
    """Sign in, with lockout after repeated failures; every attempt is recorded."""

    template_name = "accounts/login.html"
    authentication_form = forms.SignInForm
    redirect_authenticated_user = True


class PasswordChangeView(LoginRequiredMixin, FormView):
    """The user chooses a new password (forced after an initial or reset one)."""

    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            user = services.password_change(
                actor=self.request.user, user=self.request.user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("home")
