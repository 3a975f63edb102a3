from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from uplift.core.forms import ScopedModelForm, UserBoundForm
from uplift.registry.forms import enterprise_by_code

from .choices import SelfAssessmentStatus
from .models import AdoptionRule, Benchmark, BenchmarkRule, ExpertAssessment, Item, SelfAssessment


def localised(obj: Any, field: str) -> str:
    """The English twin of a reference-data text (a model's field, or a framework band's key) when
    the page is in English and it has one."""
    read = obj.get if isinstance(obj, dict) else lambda name, default="": getattr(obj, name, default)
    english = read(f"{field}_en", "")
    return english if english and (get_language() or "").startswith("en") else read(field, "")


def percent_field(
    item: Item, framework: Any, initial: int | None, label: str | None = None
) -> forms.IntegerField:
    """An item's percentage: the same field wherever an item is scored (the service checks the
    bands)."""
    return forms.IntegerField(
        label=label or f"{item.code} {localised(item, 'name')} ({item.points})",
        min_value=0,
        max_value=100,
        required=False,
        initial=initial,
        help_text=_("Percentage, in %(bands)s") % {"bands": framework.band_labels()},
    )


def text_field(
    label: Any, initial: str, *, rows: int = 2, max_length: int = 4000, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        initial=initial,
        help_text=help_text,
    )


class SelfAssessmentForm(ScopedModelForm):
    enterprise = enterprise_by_code()

    class Meta:
        model = SelfAssessment
        fields = ["enterprise", "framework", "year", "profile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:  # another enterprise or framework is another self-assessment
            del self.fields["enterprise"], self.fields["framework"]


class ResponsesForm(UserBoundForm):
    """The percentage and narrative of each item of the self-assessment's framework."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(
            self.obj.items.select_related("item__category").order_by("item__category__order", "item__order")
        )
        for e in self.entries:
            self.fields[f"percent_{e.item_id}"] = percent_field(e.item, self.obj.framework, e.percent)
            self.fields[f"narrative_{e.item_id}"] = text_field(
                _("Narrative"), e.narrative, rows=3, max_length=8000, help_text=localised(e.item, "guidance")
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        return {
            "responses": [
                (e.item_id, data.get(f"percent_{e.item_id}"), data.get(f"narrative_{e.item_id}", ""))
                for e in self.entries
            ]
        }


class AdoptionRuleForm(ScopedModelForm):
    class Meta:
        model = AdoptionRule
        fields = ["programme", "training_method", "self_assessment_required", "framework", "min_self_score"]


class ExpertAssessmentForm(ScopedModelForm):
    enterprise = enterprise_by_code()

    class Meta:
        model = ExpertAssessment
        fields = [
            "enterprise",
            "framework",
            "year",
            "self_assessment",
            "visited_on",
            "spread_threshold",
            "summary",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = self.fields["self_assessment"].queryset.filter(status=SelfAssessmentStatus.ACCEPTED)
        if self.instance.pk is not None:
            accepted = accepted.filter(enterprise_id=self.instance.enterprise_id)
            del self.fields["enterprise"], self.fields["framework"]
        self.fields["self_assessment"].queryset = accepted.select_related("enterprise")


class ExpertScoresForm(UserBoundForm):
    """The expert's own percentage and reasons on each item, and their overall opinion."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        framework = self.obj.assessment.framework
        self.items = list(
            Item.objects.filter(category__framework=framework).order_by("category__order", "order")
        )
        existing = {s.item_id: s for s in self.obj.scores.all()}
        for item in self.items:
            old = existing.get(item.pk)
            self.fields[f"percent_{item.pk}"] = percent_field(item, framework, old.percent if old else None)
            self.fields[f"comment_{item.pk}"] = text_field(_("Reasons"), old.comment if old else "")
        self.fields["opinion"] = text_field(_("Overall opinion"), self.obj.opinion, rows=3)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        return {
            "scores": [
                (i.pk, data.get(f"percent_{i.pk}"), data.get(f"comment_{i.pk}", "")) for i in self.items
            ],
            "opinion": data.get("opinion", ""),
        }


class SubmitExpertReviewForm(UserBoundForm):
    no_conflict = forms.BooleanField(label="", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["no_conflict"].label = _(
            "I declare that I have no conflict of interest with %(enterprise)s (no employment, "
            "shareholding, family tie or other interest) and that my scores are my own."
        ) % {"enterprise": self.obj.assessment.enterprise}


class ConsensusForm(UserBoundForm):
    """The panel's agreed percentage, rationale, strengths and opportunities on each item."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        framework = self.obj.framework
        self.rows = list(
            self.obj.consensus.select_related("item").order_by("item__category__order", "item__order")
        )
        for row in self.rows:
            item = row.item
            label = f"{item.code} {localised(item, 'name')} ({item.points})"
            if row.flagged:
                label += " ⚑ " + str(_("flagged: spread %(spread)s points") % {"spread": row.spread})
            self.fields[f"percent_{item.pk}"] = percent_field(item, framework, row.percent, label=label)
            for name, title, value in (
                ("rationale", _("Rationale"), row.rationale),
                ("strengths", _("Strengths"), row.strengths),
                ("opportunities", _("Opportunities for improvement"), row.opportunities),
            ):
                self.fields[f"{name}_{item.pk}"] = text_field(title, value)
        self.fields["summary"] = text_field(_("Overall feedback"), self.obj.summary, rows=4, max_length=8000)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        return {
            "rows": [
                (
                    r.item_id,
                    data.get(f"percent_{r.item_id}"),
                    data.get(f"rationale_{r.item_id}", ""),
                    data.get(f"strengths_{r.item_id}", ""),
                    data.get(f"opportunities_{r.item_id}", ""),
                )
                for r in self.rows
            ],
            "summary": data.get("summary", ""),
        }


class BenchmarkRuleForm(ScopedModelForm):
    class Meta:
        model = BenchmarkRule
        fields = [
            "programme",
            "min_score",
            "framework",
            "clean_months",
            "no_open_severe_problem",
            "min_adopted_months",
        ]


class BenchmarkForm(ScopedModelForm):
    """Approve a benchmark (the rules are checked by the service), or correct its reason or cluster."""

    enterprise = enterprise_by_code()
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the enterprise misses a rule: why approve it anyway."),
    )

    class Meta:
        model = Benchmark
        fields = ["programme", "enterprise", "cluster", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["programme"], self.fields["enterprise"], self.fields["override_reason"]
