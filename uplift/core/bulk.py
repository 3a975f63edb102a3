"""Writing many rows fast: the path of rollup rebuilds (and of imports, issue 6)."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

from django.db import connection, connections, models


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert many rows at once: COPY on PostgreSQL, one prepared statement for all of them
    elsewhere (a rebuild writes millions of ledger rows; ``bulk_create`` builds an object each)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        batch: list[tuple] = []
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 (quoted model names)
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def create_objects(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """Insert ``objs`` (unsaved instances of ``model``) and give each its primary key, as
    ``bulk_create`` does, faster on PostgreSQL: the keys are drawn from the table's sequence in one
    query and the rows written with COPY (``bulk_create`` compiles an INSERT with a parameter per
    column and row). Elsewhere it is ``bulk_create``. No signals, as with ``bulk_create``."""
    pk = model._meta.pk
    if connection.vendor != "postgresql" or not objs or not isinstance(pk, models.AutoField):
        return model._base_manager.bulk_create(objs)
    fields = [f for f in model._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, key)
    values = [_writer(f) for f in fields]
    rows = (tuple(value(obj) for value in values) for obj in objs)
    insert_rows(model, [f.column for f in fields], rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def update_objects(model: type[models.Model], objs: list[models.Model], names: list[str]) -> None:
    """Write the fields ``names`` of ``objs`` (stored instances), as ``bulk_update`` does, in one
    statement on PostgreSQL: the values are copied into a temporary table and the rows updated
    from it by key (``bulk_update`` writes a CASE over every row per field, in batches)."""
    if connection.vendor != "postgresql" or not objs:
        model._base_manager.bulk_update(objs, names, batch_size=500)
        return
    pk = model._meta.pk
    fields = [model._meta.get_field(n) for n in names]
    q = connection.ops.quote_name
    table, stage = q(model._meta.db_table), q(f"stage_{model._meta.db_table}")
    columns = [pk.column, *[f.column for f in fields]]
    listed = ", ".join(q(c) for c in columns)
    with connection.cursor() as cursor:
        # A temporary table shaped like the target's columns, dropped with the transaction.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA"  # noqa: S608
        )
        with cursor.cursor.copy(f"COPY {stage} ({listed}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row((obj.pk, *[_db_value(f, obj) for f in fields]))
        assignments = ", ".join(f"{q(f.column)} = s.{q(f.column)}" for f in fields)
        key = q(pk.column)
        cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {stage} AS s WHERE t.{key} = s.{key}")  # noqa: S608
        cursor.execute(f"DROP TABLE {stage}")


#: Fields whose Python value is already what the database stores (psycopg adapts it): their
#: attribute is written as it is, without ``pre_save`` and ``get_db_prep_save`` per value — which
#: were most of an import's writing time (bench/RESULTS.md, session 12).
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
#: ...except those that change the value on the way (a date stamped at save, a JSON document).
PREPARED_FIELDS = (
    models.DateField,
    models.DecimalField,
    models.JSONField,
    models.FileField,
    models.UUIDField,
)


def _writer(field: models.Field) -> Any:
    """How a new record's value of ``field`` is read for COPY: its attribute as it is for plain
    fields, else as a save prepares it (``pre_save`` then ``get_db_prep_save``)."""
    if isinstance(field, PLAIN_FIELDS) and not isinstance(field, PREPARED_FIELDS) and not field.choices:
        return operator.attrgetter(field.attname)
    db = connections[connection.alias]  # the connection itself, not the per-call proxy

    def prepared(obj: models.Model) -> object:
        return field.get_db_prep_save(field.pre_save(obj, True), db)

    return prepared


def _db_value(field: models.Field, obj: models.Model) -> object:
    """The value ``field`` of a stored ``obj`` is updated to: as the object holds it (as
    ``bulk_update`` writes it; a new record's values are read by :func:`_writer`)."""
    return field.get_db_prep_save(getattr(obj, field.attname), connection)
