"""How a field's value reads on a page, one way for a record's fields and for its change history.

A choice reads as its label (已提交, not ``submitted``), a related record as its name, a yes/no as
是/否, a date or a time in the house format of the reader's language (2018年6月1日 / 1 June 2018),
money as yuan (``¥1,300,000``), other numbers grouped as reports write them. Exports and the API
keep the stored values; only pages read these.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .money import yuan


def readable(field: models.Field, value: Any, *, money: bool = False) -> Any:
    """``value`` of ``field`` (a Python value; a related record as the record) as a page shows it.

    None and the empty string are returned as they are: the page shows its own "—"."""
    if value is None or value == "":
        return value
    if field.choices and not isinstance(value, models.Model):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        # In the reader's zone and language: 2018年6月1日 09:30 / 1 June 2018 09:30.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")  # 2018年6月1日 / 1 June 2018
    if money:
        return yuan(value)  # ¥1,300,000, as the list's money column shows it
    if isinstance(value, int | Decimal) and not field.name.endswith("year"):
        return number_format(value, force_grouping=True)  # 2,731,000.00 as reports write it
    return value


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    """The model's fields by the keys an audit snapshot uses (``attname``, and the name)."""
    found: dict[str, models.Field] = {}
    for f in model._meta.concrete_fields + model._meta.many_to_many:
        found[f.name] = found[getattr(f, "attname", f.name)] = f
    return found


def _key(field: models.Field, pk: Any) -> Any:
    """A stored (JSON) primary key as the related model's own type, to look it up."""
    try:
        return field.target_field.to_python(pk)
    except (ValidationError, TypeError, ValueError):
        return pk


def readable_history(entries: Any, model: type[models.Model], *, money: Collection[str] = ()) -> list[Any]:
    """``entries`` (audit entries about records of ``model``) with ``changes``: the fields each
    changed, before and after as a page reads them (see :func:`readable`).

    Related records are read once per related model for all the entries together, not once a
    row: the stored values are their keys. A related record since gone reads as ``#<key>``."""
    entries = list(entries)
    fields = _fields(model)
    changes = [e.changed_fields() for e in entries]
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for rows in changes:
        for c in rows:
            f = fields.get(c["field"])
            if f is None or not f.is_relation:
                continue
            for value in (c["before"], c["after"]):
                for pk in value if isinstance(value, list) else [value]:
                    if pk is not None and pk != "":
                        wanted[f.related_model].add(_key(f, pk))
    related = {
        # select_related(): a record's name may read its parents (a lot's tender), in the same query.
        m: m._base_manager.select_related().in_bulk(sorted(pks, key=str))
        for m, pks in wanted.items()
    }

    def show(f: models.Field | None, name: str, value: Any) -> Any:
        if f is None or value is None:
            return value
        if f.is_relation:
            found = related.get(f.related_model, {})
            pks = value if isinstance(value, list) else [value]
            names = [str(found.get(_key(f, pk), f"#{pk}")) for pk in pks]
            return ", ".join(names) if isinstance(value, list) else names[0]
        try:
            value = f.to_python(value)
        except (ValidationError, TypeError, ValueError):
            return value
        return readable(f, value, money=name in money)

    for entry, rows in zip(entries, changes, strict=True):
        for c in rows:
            f = fields.get(c["field"])
            name = f.name if f is not None else c["field"]
            c["before"], c["after"] = show(f, name, c["before"]), show(f, name, c["after"])
        entry.changes = rows
    return entries
