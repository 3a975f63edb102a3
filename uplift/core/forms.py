"""Base form: choices limited to what the user may pick, validation left to the model."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AttachmentKind, ScopedQuerySet


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose related-record choices are narrowed to what ``user`` may pick.

    It validates (the model's ``full_clean`` runs in ``is_valid``) but never saves: the view passes
    ``cleaned_data`` to the model's service.
    """

    #: Related fields looked up by an exact key the user types (e.g. a credit code) rather than
    #: chosen from a list: they are not narrowed, since typing a key reveals nothing but existence.
    unscoped_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from uplift.accounts.access import pickable

        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk is not None and hasattr(self.instance, "version"):
            # The version this edit is based on; the service refuses it if the record moved on.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, min_value=1
            )
        for name, field in self.fields.items():
            qs = getattr(field, "queryset", None)
            if isinstance(qs, ScopedQuerySet) and name not in self.unscoped_fields:
                field.queryset = pickable(qs, user)
            if isinstance(field, forms.DateTimeField):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            elif isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def save(self, commit: bool = True):  # pragma: no cover - guard
        raise NotImplementedError("Forms never save: call the model's service with form.cleaned_data.")


class UserBoundForm(forms.Form):
    """An action's form that needs the acting user and the record (e.g. to narrow its choices)."""

    def __init__(self, *args: Any, user: Any, obj: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.obj = user, obj


class AttachmentForm(UserBoundForm):
    """One evidence file for a record (of the part of it the file is evidence for, when the record
    has parts); the service checks its real type and size."""

    file = forms.FileField(label=_("file"), max_length=255, allow_empty_file=True)
    kind = forms.ChoiceField(label=_("kind"), choices=AttachmentKind.choices, initial=AttachmentKind.OTHER)
    description = forms.CharField(label=_("description"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .uploads import accept_hint

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = accept_hint()
        if sections := self.obj.attachment_sections():
            self.fields["section"] = forms.ChoiceField(
                label=_("part of the record"),
                required=False,
                choices=[("", _("The record as a whole")), *sections],
            )


class ReasonForm(forms.Form):
    """The reason a workflow step asks for: a cancellation, a removal, a withdrawal."""

    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
