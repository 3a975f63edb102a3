"""Forms of delivery: projects and their KPIs, activities, participations, and workflow inputs."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm
from uplift.core.views import UserBoundForm
from uplift.registry.models import Enterprise

from .choices import ActivityStatus
from .models import Activity, GradeRecord, Participation, ProjectKpi, ServiceProject


class ServiceProjectForm(ScopedModelForm):
    class Meta:
        model = ServiceProject
        fields = [
            "pilot",
            "institution",
            "title",
            "start_date",
            "end_date",
            "goals",
            "enterprises_targeted",
            "schedule",
        ]


class ProjectKpiForm(ScopedModelForm):
    class Meta:
        model = ProjectKpi
        fields = ["project", "kind", "target", "note"]


class ActivityForm(ScopedModelForm):
    """An activity as its institution (or the bureau) enters it.

    In a project, the programme, cluster and institution are the project's, and the place defaults
    to its cluster's region; the bureau's own activities name them.
    """

    class Meta:
        model = Activity
        fields = [
            "project",
            "programme",
            "cluster",
            "region",
            "station",
            "kind",
            "held_on",
            "place",
            "topic",
            "description",
            "delivered_by",
            "methods",
            "external_id",
        ]
        widgets = {"methods": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("programme", "region"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Taken from the service project when it has one.")
        if self.instance.pk:
            # The project is chosen once; its place in the programme follows from it.
            del self.fields["project"]

    def clean(self):
        data = super().clean()
        project = data.get("project") or (self.instance.project if self.instance.pk else None)
        if project is not None:
            data["programme"] = project.pilot.programme
            data["cluster"] = project.pilot.cluster
            data["region"] = data.get("region") or project.pilot.cluster.region
            self.instance.project = project
        elif not data.get("region") and data.get("cluster"):
            data["region"] = data["cluster"].region
        if project is None:
            if not data.get("programme"):
                self.add_error("programme", _("Choose the programme, or the service project."))
            if not data.get("region") and "region" not in self.errors:
                self.add_error("region", _("Say where the activity was held (or choose its cluster)."))
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What has to be put right"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ParticipationForm(ScopedModelForm):
    # Typed as a credit code: a cluster's members run to thousands, too many for a drop-down.
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        widget=forms.TextInput,
        label=_("Enterprise (unified social credit code)"),
        error_messages={"invalid_choice": _("No enterprise you may see has this credit code.")},
    )

    class Meta:
        model = Participation
        fields = ["activity", "enterprise", "managers", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who took part changes only while the activity is a draft or has been returned.
        self.fields["activity"].queryset = self.fields["activity"].queryset.filter(
            status__in=(ActivityStatus.DRAFT, ActivityStatus.RETURNED)
        )
        if self.instance.pk:
            self.initial["enterprise"] = self.instance.enterprise.credit_code


class ParticipantsForm(UserBoundForm):
    """Many participants at once, as a sign-in sheet is typed: one line per enterprise,
    its credit code and the number of its quality managers who came."""

    lines = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "91429004MA4F0XXXXX 3"}),
        help_text=_(
            "One enterprise per line: its unified social credit code, then how many of its quality "
            "managers took part (1 if left out), separated by a space, a comma or a tab."
        ),
    )

    LINE = re.compile(r"^\s*([0-9A-Za-z]{18})\s*(?:[,，\t ]\s*(-?\d+))?\s*$")

    def clean_lines(self) -> list[tuple[int, int]]:
        entries: list[tuple[int, str, int]] = []
        errors = []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            match = self.LINE.match(line)
            if not match:
                errors.append(
                    _("Line %(n)d: expected a credit code and a number, got “%(line)s”.")
                    % {"n": number, "line": line.strip()[:60]}
                )
                continue
            managers = int(match.group(2) or 1)
            if managers < 0:
                errors.append(_("Line %(n)d: a headcount cannot be negative.") % {"n": number})
                continue
            entries.append((number, match.group(1).upper(), managers))
        codes = [code for _n, code, _m in entries]
        visible = dict(
            Enterprise.objects.visible_to(self.user)
            .filter(credit_code__in=codes)
            .values_list("credit_code", "pk")
        )
        rows: list[tuple[int, int]] = []
        seen: dict[str, int] = {}
        for number, code, managers in entries:
            if code not in visible:
                errors.append(
                    _("Line %(n)d: no enterprise you may see has the credit code %(code)s.")
                    % {"n": number, "code": code}
                )
            elif code in seen:
                errors.append(
                    _("Line %(n)d: %(code)s is already on line %(first)d.")
                    % {"n": number, "code": code, "first": seen[code]}
                )
            else:
                seen[code] = number
                rows.append((visible[code], managers))
        if errors:
            raise forms.ValidationError(errors)
        if not rows:
            raise forms.ValidationError(_("Enter at least one enterprise."))
        return rows

    def clean(self):
        data = super().clean()
        if "lines" in data:
            data["rows"] = data.pop("lines")
        return data


class GradeRecordForm(ScopedModelForm):
    class Meta:
        model = GradeRecord
        fields = ["institution", "project_title", "programme", "grade", "accepted_on", "source"]
