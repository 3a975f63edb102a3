"""`uplift restore FILE`: load a backup written by `uplift backup` into an empty database.

An archive (``.tar.gz`` …) puts its files back into storage under their names, each checked
against the SHA-256 the backup recorded; a records-only ``.json`` backup restores the records.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from uplift.core.audit import verify

from .backup import DERIVED, FILES, MANIFEST, RECORDS, record_apps


class Command(BaseCommand):
    help = "Restore a backup (records, and the files of an archive) into an empty database, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        from uplift.accounts.models import User
        from uplift.core.models import AuditEntry

        if User.objects.exists() or AuditEntry.objects.exists():
            raise CommandError(
                "The database already holds records: restore only into an empty database "
                "(create one, run `uplift migrate`, then restore)."
            )
        path = options["file"]
        if not Path(path).is_file():
            raise CommandError(f"No backup file at {path}.")
        restored_files = 0
        with tempfile.TemporaryDirectory() as tmp:
            archive = tarfile.open(path) if tarfile.is_tarfile(path) else None
            try:
                records = self._records(archive, tmp) if archive else path
                with transaction.atomic():
                    call_command("loaddata", records, verbosity=0)
                    checked, problem = verify()
                    if problem:
                        raise CommandError(
                            f"The restored audit chain does not verify: {problem}. Nothing was restored."
                        )
                    if archive:
                        restored_files = self._files(archive)
                    # The rollups are derived: rebuilt from the restored records, not restored.
                    from uplift.programmes import rollups

                    rows = rollups.rebuild()
            finally:
                if archive:
                    archive.close()
        counts = {
            m._meta.label: m._default_manager.count()
            for label in record_apps()
            for m in apps.get_app_config(label).get_models()
            if m._meta.label not in DERIVED
        }
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {total} records and {restored_files} files; audit chain intact "
                f"({checked} entries); {rows} rollup rows rebuilt."
            )
        )

    def _records(self, archive: tarfile.TarFile, tmp: str) -> str:
        member = archive.extractfile(RECORDS) if RECORDS in archive.getnames() else None
        if member is None:
            raise CommandError(f"The archive holds no {RECORDS}: it is not an Uplift backup.")
        target = Path(tmp) / RECORDS
        with target.open("wb") as out:
            while chunk := member.read(1 << 20):
                out.write(chunk)
        return str(target)

    def _files(self, archive: tarfile.TarFile) -> int:
        """Put every file of the archive back into storage, checked against the manifest."""
        manifest = json.load(archive.extractfile(MANIFEST)) if MANIFEST in archive.getnames() else {}
        expected = manifest.get("files", {})
        saved: list[str] = []
        try:
            for member in archive:
                if member.isfile() and member.name.startswith(FILES):
                    saved.append(self._file(archive, member, expected))
        except BaseException:
            for name in saved:  # the records roll back: so do the files
                default_storage.delete(name)
            raise
        return len(saved)

    def _file(self, archive: tarfile.TarFile, member: tarfile.TarInfo, expected: dict) -> str:
        name = member.name[len(FILES) :]
        if name.startswith("/") or ".." in Path(name).parts:
            raise CommandError(f"The archive names a file outside storage: {member.name}.")
        with tempfile.TemporaryFile() as copy:
            source = archive.extractfile(member)
            digest = hashlib.sha256()
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                copy.write(chunk)
            want = expected.get(name, {}).get("sha256")
            if want and want != digest.hexdigest():
                raise CommandError(f"{name} does not match its SHA-256 in the backup. Nothing was restored.")
            if default_storage.exists(name):
                raise CommandError(f"Storage already holds {name}: restore into empty storage.")
            copy.seek(0)
            stored = default_storage.save(name, File(copy, name=name))
        if stored != name:
            default_storage.delete(stored)
            raise CommandError(f"{name} could not be stored under its name. Nothing was restored.")
        return name
