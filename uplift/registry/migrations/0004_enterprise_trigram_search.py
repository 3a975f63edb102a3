"""Trigram indexes for searching enterprises by any part of their name or credit code (PostgreSQL).

The list's search is ``UPPER(name::text) LIKE UPPER('%…%')`` (Django's ``icontains``): a B-tree
cannot serve a pattern that starts with a wildcard, so at a million enterprises every search read
the whole table. A GIN index of trigrams over the same expression can (pg_trgm, a trusted
extension shipped with PostgreSQL; CJK characters count as word characters under a UTF-8 locale).
A pattern shorter than three characters has no trigram and is still a scan. SQLite has no such
index; nothing is done there.
"""

from django.db import migrations

INDEXES = {
    "enterprise_name_trgm": "name",
    "enterprise_credit_code_trgm": "credit_code",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON registry_enterprise "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_record_version")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
