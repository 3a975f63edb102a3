"""Base filterset shared by pages and the API: a free-text ``q`` and region-subtree filters."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from uplift.accounts.access import in_subtree, region_prefix


class RegionFilter(django_filters.CharFilter):
    """Rows in a region's subtree, given its GB/T 2260 code (``?region=420100`` = all of Wuhan)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Region code"))
        kwargs.setdefault("help_text", _("A GB/T 2260 code: 420000 Hubei, 420100 Wuhan, ..."))
        kwargs.setdefault(
            "validators", [RegexValidator(r"^\s*\d{6}\s*$", _("Enter a six-digit GB/T 2260 region code."))]
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(in_subtree(self.field_name, region_prefix(value)))


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: a record's id (``?cluster=12``) or a year. Anything else, or a number no
    database column holds (``?cluster=4.6e49``), is a clear error on the field, not a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)  # a BIGINT / SQLite INTEGER
        super().__init__(*args, **kwargs)


#: The longest text a searching filter takes; longer is an error on the field, not a query (SQLite
#: refuses a LIKE pattern over 50,000 bytes with a server error, and nobody searches with more).
SEARCH_MAX_LENGTH = 1000


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads "All" (Django's says "Unknown", which on a filter
    reads as if it selected records whose answer is unknown)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


class BaseFilterSet(django_filters.FilterSet):
    """Adds ``q``: a case-insensitive search over the ``search_fields`` the subclass names; every
    yes/no filter offers All / Yes / No."""

    search_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():
            if isinstance(f, django_filters.BooleanFilter):
                f.extra.setdefault("widget", AnyYesNoSelect)

    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=SEARCH_MAX_LENGTH)

    def search(self, qs, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return qs
        q = Q()
        for f in self.search_fields:
            q |= Q(**{f"{f}__{search_lookup(value)}": value})
        return qs.filter(q)


def search_lookup(value: str) -> str:
    """``icontains``, or ``contains`` for a search of one or two characters without case (蕲艾):
    the same rows, without upper-casing every name first. Such a search has no trigram to use an
    index with (``registry`` migration 0004), so it reads the table; ``UPPER()`` of a million
    Chinese names made that read 790 ms instead of 250 (bench/RESULTS.md, session 9)."""
    if len(value) < 3 and value.upper() == value.lower():
        return "contains"
    return "icontains"


class AuditEntryFilterSet(BaseFilterSet):
    search_fields = ("actor_name", "action", "object_repr", "object_id")
    action = django_filters.CharFilter(
        lookup_expr="startswith", label=_("Action"), max_length=SEARCH_MAX_LENGTH
    )
    object_type = django_filters.CharFilter(label=_("Object type"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        from .models import AuditEntry

        model = AuditEntry
        fields = ["action", "object_type"]


def _attachable_choices():
    from django.utils.text import capfirst

    from .models import attachable_models

    return [(m._meta.label_lower, capfirst(m._meta.verbose_name)) for m in attachable_models()]


class AttachmentFilterSet(BaseFilterSet):
    search_fields = ("name", "description", "sha256")
    record = django_filters.ChoiceFilter(
        choices=_attachable_choices, method="of_type", label=_("Record type")
    )
    object_id = IntegerFilter(label=_("Record id"))
    removed = django_filters.BooleanFilter(
        field_name="removed_at", lookup_expr="isnull", exclude=True, label=_("Removed")
    )
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        from .models import Attachment

        model = Attachment
        fields = ["kind", "record", "object_id"]

    def of_type(self, qs, name, value: str):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        return qs.filter(content_type=ContentType.objects.get_for_model(apps.get_model(value)))


class ExportRunFilterSet(BaseFilterSet):
    search_fields = ("title", "query")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        from .models import ExportRun

        model = ExportRun
        fields = ["status"]
