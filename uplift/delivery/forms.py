"""Forms of delivery: projects and their KPIs, activities, participations, and workflow inputs."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm, UserBoundForm
from uplift.registry.forms import enterprise_by_code
from uplift.registry.models import Enterprise, Expert

from .choices import ActivityStatus, CriterionBasis, ProjectStatus
from .models import (
    Acceptance,
    AcceptanceCriterion,
    Activity,
    Benefit,
    EvaluationReport,
    GradeRecord,
    Participation,
    Problem,
    ProjectKpi,
    ServiceProject,
    Standard,
    StandardWork,
)


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
    enterprise = enterprise_by_code()

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


class ProjectPlacedForm(ScopedModelForm):
    """A result recorded in a service project: its programme, cluster and institution are the
    project's. The bureau records its own outside any project and then names the programme.
    On edit the project is fixed."""

    placed_fields = ("programme", "cluster")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.placed_fields:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = _("Taken from the service project when it has one.")
        if self.instance.pk:
            self.fields.pop("project", None)
        if "enterprise" in self.fields and self.instance.pk and self.instance.enterprise_id:
            self.initial["enterprise"] = self.instance.enterprise.credit_code

    def clean(self):
        data = super().clean()
        project = data.get("project") or (self.instance.project if self.instance.pk else None)
        if project is not None:
            data["programme"] = project.pilot.programme
            if "cluster" in self.fields:
                data["cluster"] = project.pilot.cluster
        elif not data.get("programme") and "programme" not in self.errors:
            self.add_error("programme", _("Choose the programme, or the service project."))
        return data

    def _post_clean(self):
        # The model's own checks see the place the project gives it.
        for name in ("programme", "cluster"):
            if self.cleaned_data.get(name) is not None:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()


class ProblemForm(ProjectPlacedForm):
    enterprise = enterprise_by_code()

    class Meta:
        model = Problem
        fields = [
            "project",
            "programme",
            "activity",
            "enterprise",
            "category",
            "severity",
            "found_on",
            "description",
            "root_cause",
            "corrective_action",
            "responsible_person",
            "deadline",
        ]

    def clean(self):
        # Found in an activity: the activity says which project (or programme) the problem is of.
        activity = self.cleaned_data.get("activity")
        if activity is not None and not self.instance.pk and not self.cleaned_data.get("project"):
            if activity.project_id:
                self.cleaned_data["project"] = activity.project
            elif not self.cleaned_data.get("programme"):
                self.cleaned_data["programme"] = activity.programme
        return super().clean()


class CorrectForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    corrective_action = forms.CharField(
        label=_("Corrective action taken"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    corrected_on = forms.DateField(label=_("Corrected on"), widget=forms.DateInput(attrs={"type": "date"}))


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("What was checked"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the correction is not accepted"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the claim does not hold up"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class StandardForm(ScopedModelForm):
    class Meta:
        model = Standard
        fields = [
            "number",
            "level",
            "title",
            "status",
            "issued_by",
            "cluster",
            "approved_on",
            "published_on",
            "effective_on",
            "withdrawn_on",
        ]


class StandardWorkForm(ProjectPlacedForm):
    class Meta:
        model = StandardWork
        fields = ["project", "programme", "cluster", "region", "standard", "kind", "started_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = False
        self.fields["region"].help_text = _("The cluster's region by default.")

    def clean(self):
        data = super().clean()
        if not data.get("region"):
            cluster = data.get("cluster") or (data["standard"].cluster if data.get("standard") else None)
            programme = data.get("programme")
            data["region"] = cluster.region if cluster else (programme.region if programme else None)
            self.instance.region = data["region"]
        return data


class EvaluationReportForm(ProjectPlacedForm):
    enterprise = enterprise_by_code()

    class Meta:
        model = EvaluationReport
        fields = [
            "project",
            "programme",
            "enterprise",
            "standard",
            "report_number",
            "issued_on",
            "conclusion",
            "summary",
            "evaluator",
        ]


class BenefitForm(ProjectPlacedForm):
    enterprise = enterprise_by_code(required=False)

    class Meta:
        model = Benefit
        fields = [
            "project",
            "programme",
            "cluster",
            "enterprise",
            "kind",
            "amount",
            "year",
            "calculation",
            "evidence",
        ]


class AcceptanceCriterionForm(ScopedModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["programme", "order", "name", "points", "basis", "guidance"]


class AcceptanceForm(ScopedModelForm):
    class Meta:
        model = Acceptance
        fields = ["project", "held_on", "panel", "conclusion"]
        widgets = {"panel": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("project")
        else:
            # Only projects submitted for acceptance and not yet given one.
            self.fields["project"].queryset = self.fields["project"].queryset.filter(
                status=ProjectStatus.SUBMITTED, acceptance__isnull=True
            )


class ScoresForm(UserBoundForm):
    """The panel's agreed score and reasons on each criterion of the programme's rubric."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The record scored: an acceptance (the panel's agreed scores) or one expert's review.
        acceptance = getattr(self.obj, "acceptance", self.obj)
        existing = {s.criterion_id: s for s in self.obj.scores.all()}
        # Criteria computed from the project's KPIs are not scored by anyone.
        self.criteria = list(
            AcceptanceCriterion.objects.filter(
                programme=acceptance.project.pilot.programme, basis=CriterionBasis.JUDGED
            )
        )
        for c in self.criteria:
            old = existing.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=f"{c.name} (0–{c.points})",
                min_value=0,
                max_value=c.points,
                decimal_places=1,
                initial=old.score if old else None,
                help_text=c.guidance,
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Reasons"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=old.comment if old else "",
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        return {
            "scores": [(c.pk, data[f"score_{c.pk}"], data.get(f"comment_{c.pk}", "")) for c in self.criteria]
        }


class ReviewScoresForm(ScoresForm):
    """An expert's own score and reasons on each criterion, and their overall opinion."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opinion"] = forms.CharField(
            label=_("Overall opinion"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
            initial=self.obj.opinion,
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        return {**data, "opinion": self.cleaned_data.get("opinion", "")}


class SubmitReviewForm(UserBoundForm):
    no_conflict = forms.BooleanField(label="", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["no_conflict"].label = _(
            "I declare that I have no conflict of interest with %(institution)s (no employment, "
            "shareholding, family tie or other interest) and that my scores are my own."
        ) % {"institution": self.obj.acceptance.project.institution}


class AssignExpertForm(UserBoundForm):
    """A registry expert with an account, not yet on this acceptance's panel."""

    expert = forms.ModelChoiceField(label=_("Expert"), queryset=Expert.objects.none())

    def __init__(self, *args, **kwargs):
        from uplift.accounts.access import pickable

        super().__init__(*args, **kwargs)
        on_panel = self.obj.reviews.values("expert_id")
        self.fields["expert"].queryset = (
            pickable(Expert.objects.all(), self.user).filter(user__isnull=False).exclude(pk__in=on_panel)
        )
        self.fields["expert"].help_text = _(
            "Experts with an account only: they score online, each on their own. An odd number, "
            "three or five, is usual."
        )


class PublishForm(forms.Form):
    bulletin_number = forms.CharField(
        label=_("Bulletin number"), max_length=60, help_text=_("Like 鄂质发〔2019〕3号.")
    )
