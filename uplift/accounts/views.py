import base64
import time

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from uplift.core.views import Action, ObjectViews, SpecMixin, apply_validation_error

from . import filtersets, forms, selectors, services, tables
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
    actions=[
        Action(
            "reset_two_factor",
            gettext_lazy("Reset the second factor"),
            services.totp_reset,
            "user",
            danger=True,
            when=lambda obj, user: obj.pk != user.pk and services.totp_device(obj) is not None,
            help=gettext_lazy(
                "For a user who lost their phone: they sign in with the password alone until they "
                "set up a new authenticator."
            ),
        )
    ],
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
        {
            "memberships": memberships,
            "principal": principal_of(request.user),
            "second_factor": services.totp_device(request.user) is not None,
        },
    )


#: The session key of a sign-in waiting for its second factor, and how long it waits.
PENDING_SIGN_IN = "uplift_sign_in_pending"
PENDING_SECONDS = 5 * 60


class SignInView(auth_views.LoginView):
    """Sign in, with lockout after repeated failures; every attempt is recorded.

    A user with a second factor is not signed in by the password: the session remembers who is
    half-way for five minutes and :class:`SecondFactorView` asks for the code.
    """

    template_name = "accounts/login.html"
    authentication_form = forms.SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        if not getattr(form, "second_factor", False):
            return super().form_valid(form)
        user = form.get_user()
        self.request.session[PENDING_SIGN_IN] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


class SecondFactorView(FormView):
    """The second step of signing in: the code of the user's authenticator app.

    A wrong code counts as a failed sign-in, so the lockout covers guessing codes as well as
    passwords; the device's own throttling slows each further try.
    """

    template_name = "accounts/login_code.html"
    form_class = forms.SecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(PENDING_SIGN_IN) or {}
        self.user = None
        if pending and time.time() - pending.get("at", 0) <= PENDING_SECONDS:
            self.user = selectors.sign_in_pending_user(pending.get("user"))
        if self.user is None:
            request.session.pop(PENDING_SIGN_IN, None)
            if request.method == "POST":
                messages.error(request, _("The sign-in took too long; enter your password again."))
            return redirect("accounts:login")
        self.pending = pending
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        address = self.request.META.get("REMOTE_ADDR")
        username = self.user.get_username()
        until = selectors.locked_until(username, address)
        if until is not None:
            services.sign_in_refused_record(username=username, address=address)
            self.request.session.pop(PENDING_SIGN_IN, None)
            form.add_error(
                None,
                forms.SignInForm.error_messages["locked"]
                % {"time": formats.time_format(timezone.localtime(until), "H:i")},
            )
            return self.form_invalid(form)
        try:
            accepted = services.totp_verify(user=self.user, token=form.cleaned_data["token"])
        except ValidationError as exc:  # still slowed down after wrong codes: not another failure
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        if not accepted:
            services.sign_in_attempt_record(username=username, address=address, user=None, succeeded=False)
            form.add_error("token", _("This code is not the one the app shows now."))
            return self.form_invalid(form)
        services.sign_in_attempt_record(username=username, address=address, user=self.user, succeeded=True)
        self.request.session.pop(PENDING_SIGN_IN, None)
        auth_login(self.request, self.user, backend=self.pending["backend"])
        target = self.pending.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure()):
            target = resolve_url("home")
        return redirect(target)


class TwoFactorView(LoginRequiredMixin, FormView):
    """The user's own second factor: set it up with an authenticator app, or turn it off."""

    template_name = "accounts/two_factor.html"
    form_class = forms.SecondFactorForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        device = services.totp_device(self.request.user)
        ctx["enabled"] = device is not None
        if device is None:
            pending = self.pending_device()
            if pending is not None:
                secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
                ctx["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
                ctx["qr_svg"] = mark_safe(
                    segno.make(pending.config_url, error="m").svg_inline(
                        scale=4, title=_("Authenticator set-up")
                    )
                )
        return ctx

    def pending_device(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.filter(user=self.request.user, confirmed=False).order_by("-pk").first()

    def post(self, request, *args, **kwargs):
        step = request.POST.get("step")
        if step == "begin":
            try:
                services.totp_begin(actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("accounts:two_factor")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        enabled = services.totp_device(self.request.user) is not None
        try:
            if enabled:
                services.totp_disable(actor=self.request.user, token=form.cleaned_data["token"])
            else:
                services.totp_confirm(actor=self.request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The second factor is off.")
            if enabled
            else _("The second factor is on: sign-in will ask for a code."),
        )
        return redirect("accounts:profile")


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
