"""`uplift attachments verify`: every attachment's file is in storage with the bytes it was given."""

from django.core.management.base import BaseCommand, CommandError

from uplift.core.selectors import attachment_problems


class Command(BaseCommand):
    help = (
        "Evidence file tools. `verify` checks that each attachment's file exists in storage and that "
        "its SHA-256 is still the one recorded at upload (run it after restoring a backup)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        checked, problems = attachment_problems()
        for attachment, problem in problems[:50]:
            self.stderr.write(f"#{attachment.pk} {attachment.name} ({attachment.file.name}): {problem}")
        if problems:
            raise CommandError(f"{len(problems)} of {checked} attachments are missing or altered.")
        self.stdout.write(self.style.SUCCESS(f"All {checked} attachments present and unaltered."))
