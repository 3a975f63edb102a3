"""Base table: sortable columns, numbers right-aligned, a link on the record's name."""

from decimal import Decimal

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table"}
        empty_text = _("No records match. Change or clear the filters.")


class NumberColumn(tables.Column):
    """A right-aligned numeric column (tabular figures)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        # The same grouping as detail pages and reports, in the reader's language.
        return number_format(value, force_grouping=True) if isinstance(value, int | Decimal) else value


class AuditEntryTable(BaseTable):
    at = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        from .models import AuditEntry

        model = AuditEntry
        fields = (
            "seq",
            "at",
            "actor_name",
            "actor_roles",
            "address",
            "action",
            "object_type",
            "object_id",
            "object_repr",
        )
