"""``./manage.py lms automations_export [--id N] FILE``: write automations as v1 documents."""
import json

from django.core.management.base import BaseCommand, CommandError

from lms_automations import api
from lms_automations.models import Automation


class Command(BaseCommand):
    help = "Export automations (all, or one with --id) to a lms-automations/v1 JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON file to write ('-' for standard output).")
        parser.add_argument("--id", type=int, dest="automation_id", help="Export only this automation.")

    def handle(self, *args, file, automation_id=None, **options):
        automations = Automation.objects.exclude(status=Automation.STATUS.finishing)
        if automation_id is not None:
            automations = automations.filter(pk=automation_id)
            if not automations.exists():
                raise CommandError(f"no automation with id {automation_id}")
            data = api.export_automation(automations.get())
        else:
            data = [api.export_automation(automation) for automation in automations.order_by("pk")]
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if file == "-":
            self.stdout.write(text, ending="")
            return
        with open(file, "w", encoding="utf-8") as handle:
            handle.write(text)
        count = 1 if automation_id is not None else len(data)
        self.stderr.write(f"exported {count} automation(s) to {file}")
