from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm
from uplift.registry.models import Enterprise, ServiceInstitution

from .models import Membership, Organisation


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


class MembershipForm(ScopedModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "is_active"]
