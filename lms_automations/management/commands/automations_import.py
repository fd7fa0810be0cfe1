"""``./manage.py lms automations_import FILE [--activate]``: create automations from v1 documents.

FILE holds one document or a JSON list of them; all are imported or none (every error is printed).
"""
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lms_automations import api
from lms_automations.exceptions import InvalidAutomation


class Command(BaseCommand):
    help = "Import automations from a lms-automations/v1 JSON file (one document or a list)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON file ('-' for standard input).")
        parser.add_argument("--activate", action="store_true", help="Set the imported automations active.")

    def handle(self, *args, file, activate=False, **options):
        documents = _read_documents(file)
        created = []
        errors = []
        with transaction.atomic():
            for index, document in enumerate(documents):
                if activate and isinstance(document, dict):
                    document = {**document, "status": "active"}
                try:
                    created.append(api.import_automation(document))
                except InvalidAutomation as exc:
                    prefix = f"[{index}] " if len(documents) > 1 else ""
                    errors.extend(f"{prefix}{error['path']}: {error['message']}" for error in exc.errors)
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise CommandError("nothing imported:\n  " + "\n  ".join(errors))
        for automation in created:
            self.stdout.write(f"imported automation {automation.pk}: {automation.name} ({automation.status})")


def _read_documents(path):
    try:
        if path == "-":
            import sys  # pylint: disable=import-outside-toplevel

            data = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from exc
    return data if isinstance(data, list) else [data]
