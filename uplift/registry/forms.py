from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm

from .models import (
    ClusterMembership,
    Enterprise,
    Expert,
    IndustrialCluster,
    ServiceInstitution,
    ServiceStation,
)


def enterprise_by_code(required: bool = True) -> forms.ModelChoiceField:
    """An enterprise typed as its credit code: a cluster's members run to thousands, too many for
    a drop-down. The service checks it is in the user's scope."""
    return forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        widget=forms.TextInput,
        required=required,
        label=_("Enterprise (unified social credit code)"),
        error_messages={"invalid_choice": _("No enterprise you may see has this credit code.")},
    )


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "credit_code",
            "name",
            "region",
            "industry",
            "size_class",
            "employees",
            "annual_revenue",
            "address",
            "contact_person",
            "contact_phone",
        ]


class ClusterForm(ScopedModelForm):
    class Meta:
        model = IndustrialCluster
        fields = ["name", "region", "lead_industry", "description"]


class ClusterMembershipForm(ScopedModelForm):
    # Typed as a credit code: a cluster's candidates run to thousands, too many for a drop-down.
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        widget=forms.TextInput,
        label=_("Enterprise (unified social credit code)"),
        error_messages={"invalid_choice": _("No enterprise you may see has this credit code.")},
    )

    class Meta:
        model = ClusterMembership
        fields = ["cluster", "enterprise", "joined_on"]


class ServiceInstitutionForm(ScopedModelForm):
    class Meta:
        model = ServiceInstitution
        fields = [
            "credit_code",
            "name",
            "region",
            "cma_number",
            "cnas_number",
            "services",
            "contact_person",
            "contact_phone",
            "contact_email",
            "address",
        ]


class ExpertForm(ScopedModelForm):
    class Meta:
        model = Expert
        fields = ["name", "employer", "title", "region", "specialties", "industries", "phone", "email"]


class ServiceStationForm(ScopedModelForm):
    class Meta:
        model = ServiceStation
        fields = ["name", "region", "cluster", "operator", "address", "phone", "opened_on"]
