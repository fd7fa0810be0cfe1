"""``./manage.py lms automations_tick [--loop SECONDS]``: the engine's periodic work.

Cron-friendly (one pass and exit) or long-running (``--loop``); safe to run in parallel.
"""
import time

from django.core.management.base import BaseCommand

from lms_automations.engine.tick import run_tick


class Command(BaseCommand):
    help = "Resume due runs, relay undispatched events and run due scans (one pass, or every N seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="Repeat every SECONDS until stopped.")

    def handle(self, *args, loop=None, **options):
        while True:
            report = run_tick()
            if options["verbosity"] >= 1:
                self.stdout.write(f"automations_tick: {report}")
            if not loop:
                return
            time.sleep(loop)
