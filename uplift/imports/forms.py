"""The upload form of an import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS

#: The largest file accepted through the page (a 1,000,000-row csv is about 150 MB).
MAX_UPLOAD = getattr(settings, "UPLIFT_MAX_IMPORT_BYTES", 300 * 1024 * 1024)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of records"))
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("xlsx, xls, ods or csv (UTF-8 or GB18030); the header row may be below a title."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run)"),
        required=False,
        initial=True,
        help_text=_("See what would be created, updated and rejected; nothing is written."),
    )
    partial = forms.BooleanField(
        label=_("Import the valid rows"),
        required=False,
        help_text=_("Without this, a file with any rejected row writes nothing."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label) for k in KINDS.values() if k.allowed(user)]

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("The file is %(size)s; the most a page upload takes is %(max)s. Use `uplift import`.")
                % {"size": filesizeformat(f.size), "max": filesizeformat(MAX_UPLOAD)}
            )
        return f


class ImportCheckedForm(forms.Form):
    partial = forms.BooleanField(
        label=_("Import the valid rows"),
        required=False,
        help_text=_("Without this, a file with any rejected row writes nothing."),
    )


class RevertForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Delete the records this import created and restore the values it changed"),
        required=True,
    )
