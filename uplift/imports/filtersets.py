import django_filters
from django.utils.translation import gettext_lazy as _

from uplift.core.filtersets import BaseFilterSet

from .choices import RunStatus
from .kinds import KINDS
from .models import ImportRun


class ImportRunFilterSet(BaseFilterSet):
    search_fields = ("file_name", "sha256")
    kind = django_filters.ChoiceFilter(
        choices=lambda: [(k.name, k.label) for k in KINDS.values()], label=_("Kind")
    )
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("Status"))
    dry_run = django_filters.BooleanFilter(label=_("Dry run"))

    class Meta:
        model = ImportRun
        fields = ["kind", "status", "dry_run"]
