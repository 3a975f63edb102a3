"""Forms of the one-stop service: a request, the workflow's inputs, and the bureau's rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.accounts.access import pickable, principal_of
from uplift.core.forms import ScopedModelForm, UserBoundForm
from uplift.delivery.choices import ActivityKind, ProblemCategory, Severity
from uplift.registry.forms import enterprise_by_code
from uplift.registry.models import Enterprise, Expert, ServiceInstitution, ServiceStation

from .models import ResponseTarget, RoutingRule, ServiceRequest, serving_q


class ServiceRequestForm(ScopedModelForm):
    """A request as the enterprise (or an officer at the counter) files it; the rules route it."""

    enterprise = enterprise_by_code()

    class Meta:
        model = ServiceRequest
        fields = ["enterprise", "cluster", "topic", "title", "description", "channel"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = principal_of(self.user).enterprise_ids
        if len(own) == 1 and not self.instance.pk and not self.initial.get("enterprise"):
            # An enterprise's user files for their own firm: fill in its code.
            self.initial["enterprise"] = Enterprise.objects.filter(pk__in=own).values_list(
                "credit_code", flat=True
            )[0]


def serving(qs, region_code: str):
    """The stations, institutions or experts of ``qs`` serving ``region_code``: the filter
    ``models.serves`` asks of one, so the choices are one query however many there are."""
    return qs.filter(serving_q(qs.model, region_code))


class RouteForm(UserBoundForm):
    """Where the request goes: one of a station, an institution or an expert serving its region."""

    station = forms.ModelChoiceField(
        ServiceStation.objects.none(), label=_("Service station"), required=False
    )
    institution = forms.ModelChoiceField(
        ServiceInstitution.objects.none(), label=_("Service institution"), required=False
    )
    expert = forms.ModelChoiceField(Expert.objects.none(), label=_("Expert"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (
            ("station", ServiceStation),
            ("institution", ServiceInstitution),
            ("expert", Expert),
        ):
            self.fields[name].queryset = serving(pickable(model.objects.all(), self.user), self.obj.region_id)
        self.fields["station"].help_text = _("Choose one of the three.")


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer given to the enterprise"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000
    )


RATINGS = [
    (str(n), label)
    for n, label in ((5, _("5 — excellent")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 — poor")))
]


class CloseForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=RATINGS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the request is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class _ProjectWorkForm(UserBoundForm):
    """A project the institution delivers (or, for the bureau, a programme)."""

    def __init__(self, *args, **kwargs):
        from uplift.delivery.models import ServiceProject
        from uplift.programmes.models import Programme

        super().__init__(*args, **kwargs)
        self.fields["project"] = forms.ModelChoiceField(
            pickable(ServiceProject.objects.filter(status="in_progress"), self.user),
            label=_("Service project"),
            required=False,
        )
        self.fields["programme"] = forms.ModelChoiceField(
            pickable(Programme.objects.all(), self.user),
            label=_("Programme"),
            required=False,
            help_text=_("For the bureau's own work, outside any project."),
        )
        self.order_fields(["project", "programme"])


class ToProblemForm(_ProjectWorkForm):
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    deadline = forms.DateField(label=_("Correction due"), widget=forms.DateInput(attrs={"type": "date"}))


class ToActivityForm(_ProjectWorkForm):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200)


class ResponseTargetForm(ScopedModelForm):
    class Meta:
        model = ResponseTarget
        fields = ["region", "topic", "response_hours", "answer_days"]


class RoutingRuleForm(ScopedModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "region",
            "topic",
            "cluster",
            "station",
            "institution",
            "expert",
            "priority",
            "is_active",
        ]
