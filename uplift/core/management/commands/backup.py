"""`uplift backup FILE`: a consistent snapshot of every record and every stored file.

``FILE.tar.gz`` (or ``.tar``, ``.tgz``, ``.tar.xz``) is an archive of ``records.json`` (every
record, as Django's JSON) and ``files/…`` (every file a record points to: evidence attachments,
imported spreadsheets, written exports), with ``manifest.json`` giving each file's size and
SHA-256. ``FILE.json`` (or ``.json.gz``, ``.json.xz``, ``.json.bz2``) holds the records only.

Works on SQLite and PostgreSQL alike: the records are read in one transaction (REPEATABLE READ on
PostgreSQL), so the file is the database as it was at one instant, and the files are those its
records name (stored files are never changed in place: a new version is a new file). `uplift
restore FILE` loads it into an empty database. For very large databases, PostgreSQL's own
pg_dump is faster; this format is database-independent (a SQLite demo can be restored into
PostgreSQL and back).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

#: Installed apps outside Uplift whose rows are records too: the users' second-factor devices.
THIRD_PARTY_APPS = ["otp_totp"]


def record_apps() -> list[str]:
    """What a backup holds: every Uplift app with models, and ``THIRD_PARTY_APPS`` — derived from
    the installed apps, so a new app is never left out. loaddata checks foreign keys once the
    whole file is in, so the order only has to be readable."""
    return [
        config.label
        for config in apps.get_app_configs()
        if (config.name.startswith("uplift.") or config.label in THIRD_PARTY_APPS)
        and any(True for _ in config.get_models())
    ]


#: Derived rows a backup leaves out: `uplift restore` rebuilds them from the records (a national
#: programme's rollup ledger is millions of rows that say nothing the records do not).
DERIVED = ["programmes.Rollup", "programmes.RollupFact"]

#: Archive suffixes and the tarfile mode writing them.
ARCHIVES = {".tar": "w", ".tar.gz": "w:gz", ".tgz": "w:gz", ".tar.xz": "w:xz"}
RECORDS = "records.json"
MANIFEST = "manifest.json"
FILES = "files/"


def archive_mode(path: str) -> str | None:
    """The tarfile mode writing ``path``, or None for a records-only JSON file."""
    name = path.lower()
    return next((mode for suffix, mode in ARCHIVES.items() if name.endswith(suffix)), None)


def stored_files() -> Iterator[str]:
    """The storage names every backed-up record's file fields point to, each once, sorted."""
    names: set[str] = set()
    for label in record_apps():
        for model in apps.get_app_config(label).get_models():
            for f in model._meta.concrete_fields:
                if isinstance(f, models.FileField):
                    names.update(n for n in model._base_manager.values_list(f.attname, flat=True) if n)
    yield from sorted(names)


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of all records and stored files to FILE (.tar.gz, .tar, .tar.xz; "
        "or records only: .json, .json.gz, .json.xz, .json.bz2)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        target = options["file"]
        mode = archive_mode(target)
        # Called inside someone else's transaction (a test), the snapshot is theirs to choose.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if mode is None:
                self._dump(target)
                self.stdout.write(self.style.SUCCESS(f"Backup written to {target} (records only, no files)."))
                return
            with tempfile.TemporaryDirectory() as tmp:
                records = str(Path(tmp) / RECORDS)
                self._dump(records)
                with tarfile.open(target, mode) as archive:
                    archive.add(records, arcname=RECORDS)
                    files, missing = self._add_files(archive)
        for name in missing:
            self.stderr.write(f"Missing from storage, not in the backup: {name}")
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {target}: the records and {len(files)} files.")
        )

    def _dump(self, path: str) -> None:
        # Content types by their natural key (app, model): their ids differ between databases.
        call_command(
            "dumpdata",
            *record_apps(),
            exclude=DERIVED,
            natural_foreign=True,
            output=path,
            indent=None,
            verbosity=0,
        )

    def _add_files(self, archive: tarfile.TarFile) -> tuple[dict[str, dict], list[str]]:
        files: dict[str, dict] = {}
        missing: list[str] = []
        for name in stored_files():
            try:
                handle = default_storage.open(name, "rb")
            except FileNotFoundError:
                missing.append(name)
                continue
            with handle, tempfile.TemporaryFile() as copy:
                digest = hashlib.sha256()
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    copy.write(chunk)
                info = tarfile.TarInfo(FILES + name)
                info.size = copy.tell()
                copy.seek(0)
                archive.addfile(info, copy)
            files[name] = {"size": info.size, "sha256": digest.hexdigest()}
        manifest = json.dumps({"files": files, "missing": missing}, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(manifest)
        archive.addfile(info, io.BytesIO(manifest))
        return files, missing
