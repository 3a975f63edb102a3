from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from uplift.core.views import Action, ObjectViews, SpecMixin, apply_validation_error

from . import filtersets, forms, services, tables
from .access import principal_of
from .models import ApiToken, Membership, Organisation, User


def user_extra(obj, user):
    return {
        "memberships": Membership.objects.visible_to(user).filter(user=obj).select_related("organisation"),
        "can_reset": user.has_perm("accounts.change_user"),
    }


user_views = ObjectViews(
    model=User,
    table=tables.UserTable,
    filterset=filtersets.UserFilterSet,
    form=forms.UserForm,
    services=services,
    detail_fields=[
        "username",
        "display_name",
        "email",
        "phone",
        "is_active",
        "must_change_password",
        "last_login",
    ],
    detail_template="accounts/user_detail.html",
    detail_extra=user_extra,
)
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


class TokenCreateView(SpecMixin, FormView):
    """Create one of one's own API tokens; the next page shows its key, once."""

    action = "add"
    form_class = forms.ApiTokenForm
    template_name = "accounts/apitoken_add.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            token, key = services.token_create(
                actor=self.request.user, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        # The key is in this answer and nowhere else: not stored, not in a redirect or the session.
        response = render(
            self.request,
            "accounts/apitoken_created.html",
            {**self.get_context_data(form=form), "object": token, "key": key},
        )
        response["Cache-Control"] = "no-store"
        return response


apitoken_views = ObjectViews(
    model=ApiToken,
    table=tables.ApiTokenTable,
    filterset=filtersets.ApiTokenFilterSet,
    select_related=("user", "revoked_by"),
    detail_fields=[
        "name",
        "prefix",
        "user",
        "scope",
        "expires_at",
        "last_used_at",
        "created_at",
        "revoked_at",
        "revoked_by",
    ],
    add_view=TokenCreateView,
    actions=[
        Action(
            "revoke",
            gettext_lazy("Revoke"),
            services.token_revoke,
            "token",
            form=forms.TokenRevokeForm,
            danger=True,
            when=lambda token, user: token.revoked_at is None,
            help=gettext_lazy(
                "A revoked token authenticates nothing from now on; this cannot be undone. "
                "Create a new token for a script that still needs one."
            ),
        )
    ],
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


class PasswordResetView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """The security administrator gives a user a new initial password (to be replaced at sign-in)."""

    template_name = "accounts/password_reset.html"
    form_class = forms.PasswordResetForm
    permission_required = "accounts.change_user"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.target = get_object_or_404(User.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "target": self.target}

    def form_valid(self, form):
        try:
            services.password_change(
                actor=self.request.user, user=self.target, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("A new initial password was set; the user must change it at sign-in.")
        )
        return redirect(self.target.get_absolute_url())
