"""``./manage.py demo_setup``: prepare the sandbox for the demo (idempotent).

Seeds courses and learners, imports the example automations that are not there yet, enrols a learner
so the admin has real events to show, and resets the ``admin`` password to a fresh random one.
"""
import json
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

import lms_automations
from lms_automations import api
from lms_automations.models import Automation

EXAMPLES_DIR = Path(lms_automations.__file__).parent / "examples"


class Command(BaseCommand):
    help = "Seed the sandbox LMS, load the example automations and print an admin login."

    def add_arguments(self, parser):
        parser.add_argument("--password-file", help="Also write the generated admin password to this file.")

    def handle(self, *args, password_file=None, **options):
        call_command("seed_sandbox", verbosity=options["verbosity"])
        self._import_examples()
        self._enrol_first_learner()
        password = self._reset_admin()
        if password_file:
            Path(password_file).write_text(password + "\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Admin login: admin / {password}"))

    def _import_examples(self):
        existing = set(Automation.objects.values_list("name", flat=True))
        for path in sorted(EXAMPLES_DIR.glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if document["name"] in existing:
                continue
            automation = api.import_automation(document)
            self.stdout.write(f"imported example automation: {automation.name}")

    def _enrol_first_learner(self):
        from sandbox.lms import services  # pylint: disable=import-outside-toplevel
        from sandbox.lms.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

        learner = get_user_model().objects.filter(username="ada").first()
        if learner and not CourseEnrollment.objects.filter(user=learner).exists():
            services.enroll(learner, "course-v1:Demo+W1+2026", mode="audit")
            self.stdout.write("enrolled ada in course-v1:Demo+W1+2026 (see Automations › Events)")

    @transaction.atomic
    def _reset_admin(self):
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(
            username="admin", defaults={"email": "admin@sandbox.localhost"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return password
