from django import forms
from django.utils.translation import gettext_lazy as _

from uplift.delivery.choices import Grade
from uplift.procurement.choices import PUBLIC_STATES, TenderStatus


class TenderFilterForm(forms.Form):
    """The filters of the public tender list: status and programme (by its short name)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + [(s.value, TenderStatus(s).label) for s in PUBLIC_STATES],
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=None, to_field_name="slug", empty_label=_("All")
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class BulletinFilterForm(forms.Form):
    """The filters of the public grade bulletin: programme and grade."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=None, to_field_name="slug", empty_label=_("All")
    )
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[("", _("All")), *Grade.choices])

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class BenchmarkFilterForm(forms.Form):
    """The filters of the public benchmark list: year and cluster."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    cluster = forms.ModelChoiceField(label=_("Cluster"), required=False, queryset=None, empty_label=_("All"))

    def __init__(self, *args, years, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All")), *[(y, y) for y in years]]
        self.fields["cluster"].queryset = clusters
