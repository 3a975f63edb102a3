from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm
from uplift.registry.models import Enterprise, ServiceInstitution

from .models import ApiToken, Membership, Organisation, User


def credit_code_field(model, label):
    return forms.ModelChoiceField(
        queryset=model.objects.all(),
        to_field_name="credit_code",
        widget=forms.TextInput,
        required=False,
        label=label,
        error_messages={"invalid_choice": _("No record has this unified social credit code.")},
    )


class OrganisationForm(ScopedModelForm):
    # The security administrator links accounts to institutions and enterprises without seeing
    # programme data: by typing the credit code, not by browsing a list.
    unscoped_fields = ("institution", "enterprise")
    institution = credit_code_field(ServiceInstitution, _("Service institution (credit code)"))
    enterprise = credit_code_field(Enterprise, _("Enterprise (credit code)"))

    class Meta:
        model = Organisation
        fields = ["kind", "name", "region", "institution", "enterprise"]


class UserForm(ScopedModelForm):
    """An account as the security administrator manages it; a new one gets an initial password."""

    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The user must replace it at first sign-in."),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "phone", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["password"]  # changed with "Reset password", never in the edit form
        else:
            self.fields["password"].help_text = password_validation.password_validators_help_text_html()

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(username=self.cleaned_data.get("username", "")))
        return password


class PasswordResetForm(forms.Form):
    """A security administrator sets a new initial password for someone."""

    password = forms.CharField(label=_("New initial password"), widget=forms.PasswordInput)


class MembershipForm(ScopedModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "is_active"]


class SignInForm(AuthenticationForm):
    """Sign-in that counts failures and refuses a locked account or address (MLPS 2.0 level 3)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-ins for this account or from this address. Try again after %(time)s."
        ),
    }

    def clean(self):
        from . import selectors, services

        username = (self.cleaned_data.get("username") or "").strip()
        address = self.request.META.get("REMOTE_ADDR") if self.request else None
        until = selectors.locked_until(username, address)
        if until is not None:
            services.sign_in_refused_record(username=username, address=address)
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"time": formats.time_format(timezone.localtime(until), "H:i")},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            services.sign_in_attempt_record(username=username, address=address, user=None, succeeded=False)
            raise
        # With a second factor the sign-in succeeds (and is recorded) only once its code does.
        self.second_factor = services.totp_device(self.get_user()) is not None
        if not self.second_factor:
            services.sign_in_attempt_record(
                username=username, address=address, user=self.get_user(), succeeded=True
            )
        return cleaned


class SecondFactorForm(forms.Form):
    """The six-digit code of the user's authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isascii() and token.isdigit() and len(token) == 6):
            raise ValidationError(_("Enter the six digits the app shows."), code="format")
        return token


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, new twice, the password validators), saved by the service."""

    def save(self, commit: bool = True):  # pragma: no cover - guard
        raise NotImplementedError("Call accounts.services.password_change.")


class ApiTokenForm(ScopedModelForm):
    """A new API token of the signed-in user: what it is for, what it may do, until when."""

    class Meta:
        model = ApiToken
        fields = ["name", "scope", "expires_at"]


class TokenRevokeForm(forms.Form):
    """Revoking is final: the user ticks that they mean it."""

    confirm = forms.BooleanField(
        label=_("Revoke this token: every script or system using it stops working at once"),
        required=True,
    )
