"""`uplift restore FILE`: load a backup written by `uplift backup` into an empty database."""

from __future__ import annotations

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from uplift.core.audit import verify

from .backup import APPS, DERIVED


class Command(BaseCommand):
    help = "Restore a backup into an empty (migrated) database, then verify the audit chain."

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
        with transaction.atomic():
            call_command("loaddata", options["file"], verbosity=0)
            checked, problem = verify()
            if problem:
                raise CommandError(
                    f"The restored audit chain does not verify: {problem}. Nothing was restored."
                )
            # The rollups are derived: rebuilt from the restored records, not restored.
            from uplift.programmes import rollups

            rows = rollups.rebuild()
        counts = {
            m._meta.label: m._default_manager.count()
            for label in APPS
            for m in apps.get_app_config(label).get_models()
            if m._meta.label not in DERIVED
        }
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {total} records; audit chain intact ({checked} entries); "
                f"{rows} rollup rows rebuilt."
            )
        )
