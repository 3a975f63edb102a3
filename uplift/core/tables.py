"""Base table: sortable columns, numbers right-aligned, a link on the record's name."""

from decimal import Decimal

import django_tables2 as tables
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.text import Truncator, capfirst
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


class AttachmentTable(BaseTable):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("record"), linkify=lambda record: record.parent, orderable=False)
    format_label = tables.Column(verbose_name=_("format"), accessor="format_label", order_by="media_type")
    size = NumberColumn(verbose_name=_("Size"))
    removed_at = tables.Column()

    class Meta(BaseTable.Meta):
        from .models import Attachment

        model = Attachment
        fields = (
            "name",
            "kind",
            "content_type",
            "parent",
            "format_label",
            "size",
            "uploaded_by",
            "created_at",
            "removed_at",
        )

    def render_parent(self, value):
        return Truncator(str(value)).chars(28)

    def value_parent(self, value):
        return str(value)

    def render_size(self, value):
        return filesizeformat(value)

    def value_size(self, value):
        return value

    def render_content_type(self, value):
        return capfirst(value.model_class()._meta.verbose_name) if value.model_class() else value

    value_content_type = render_content_type
