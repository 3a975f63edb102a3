from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm

from .models import PilotProject, Programme, Target


class ProgrammeForm(ScopedModelForm):
    class Meta:
        model = Programme
        fields = [
            "slug",
            "name",
            "region",
            "start_date",
            "end_date",
            "budget",
            "description",
            "excellent_from",
            "good_from",
            "pass_from",
        ]


class TargetForm(ScopedModelForm):
    metric = forms.ChoiceField(label=_("metric"))

    def __init__(self, *args, **kwargs):
        from .metrics import METRICS

        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m.name, m.label) for m in METRICS.values()]

    class Meta:
        model = Target
        fields = ["programme", "metric", "region", "value", "deadline", "parent"]


class PilotProjectForm(ScopedModelForm):
    class Meta:
        model = PilotProject
        fields = ["programme", "cluster", "institution", "started_on", "goals"]
