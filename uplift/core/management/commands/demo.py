"""`uplift demo`: build the Hubei demo, then serve it (or only load it with --load-only), with a
background worker beside the server for the tasks pages enqueue (large imports)."""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from uplift.core.demo import build_demo


class Command(BaseCommand):
    help = "Build the deterministic Hubei 2018 demo programme and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument(
            "--load-only", action="store_true", help="Load the demo and exit without serving."
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        ctx = build_demo()
        if options["verbosity"] == 0:
            return self._serve(options)
        for line in ctx.log:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all shown):"))
        for login in ctx.logins:
            self.stdout.write(f"  {login['role']:<28} {login['username']:<22} {login['password']}")
        self._serve(options)

    def _serve(self, options):
        if options["load_only"]:
            return
        # Serve static files as production does (whitenoise, compressed), not from the app folders.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{options['addrport']}/  (Ctrl-C to stop)"))
        # The worker runs the tasks pages enqueue (imports of large files) as production's would.
        worker = subprocess.Popen([sys.executable, "-m", "uplift.manage", "db_worker", "--no-reload"])
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
