"""`uplift audit verify`: walk the audit hash chain and report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from uplift.core.audit import verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks that no entry was altered, removed or inserted."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        checked, problem = verify()
        if problem:
            raise CommandError(f"Audit chain broken after {checked} good entries: {problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} entries verified."))
