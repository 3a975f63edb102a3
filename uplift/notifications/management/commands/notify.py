"""`uplift notify digest [--dry-run] [--date YYYY-MM-DD]`: the daily digest of overdue work."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from uplift.notifications.digest import digest_send, digests


class Command(BaseCommand):
    help = (
        "Notification tools. `digest` gives every user with overdue work in their scope (problems "
        "past their deadline, milestones past due, activities waiting for approval) one notification "
        "and one e-mail for the day; run it daily from the scheduler. Running it twice on a day sends "
        "nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["digest"])
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be told what; write nothing."
        )
        parser.add_argument(
            "--date", help="The day to judge against, YYYY-MM-DD (default: today, in TIME_ZONE)."
        )

    def handle(self, *args, **options):
        day = timezone.localdate()
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD).") from exc
        users = sent = 0
        for digest in digests(day):
            users += 1
            summary = ", ".join(f"{s['name']} {s['count']}" for s in digest.sections)
            if options["dry_run"]:
                self.stdout.write(f"{digest.user.username}: {summary}")
                continue
            if digest_send(digest) is not None:
                sent += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{digest.user.username}: {summary}")
        if options["dry_run"]:
            self.stdout.write(f"{day}: {users} users have overdue work (dry run: nothing sent).")
        else:
            self.stdout.write(self.style.SUCCESS(f"{day}: digests sent to {sent} users."))
