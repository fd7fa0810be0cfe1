"""``./manage.py seed_sandbox``: demo courses and learners for the sandbox LMS (idempotent).

Rows are made through ``create_course`` / ``create_learner``, which send no learner event: the seed
stands for data the LMS had before the plugin was installed. What exists already is left untouched.
"""
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone as dj_timezone

from sandbox.lms import dates, services
from sandbox.lms.models import Course

#: key, display name, modes, start and end (days from today, or fixed datetimes), outline (None: default),
#: due dates of problems (days from today), which dates.extend moves per learner
COURSES = [
    {
        "key": "course-v1:Demo+W1+2026",
        "display_name": "Welcome to Open edX",
        "modes": ("audit", "verified"),
        "start": datetime(2026, 1, 5, tzinfo=UTC),
        "end": None,
        "units": None,
    },
    {
        "key": "course-v1:Demo+PY101+2026",
        "display_name": "Python for Everyone",
        "modes": ("audit", "verified"),
        "start": -30,
        "end": 60,
        "units": [
            ["html:syllabus", "video:setup"],
            ["video:variables", "problem:variables-quiz"],
            ["video:loops", "html:loops-notes", "problem:loops-quiz"],
            ["problem:final-exam"],
        ],
        "due": {"problem:variables-quiz": 7, "problem:loops-quiz": 21, "problem:final-exam": 55},
    },
    {
        "key": "course-v1:Demo+DS201+2027",
        "display_name": "Data Storytelling",
        "modes": ("audit", "verified"),
        "start": 14,
        "end": 120,
        "units": [["html:intro", "video:charts"], ["problem:project"]],
        "due": {"problem:project": 100},
    },
]

LEARNERS = [
    {"username": "ada", "name": "Ada Lovelace", "language": "en", "country": "GB",
     "time_zone": "Europe/London", "year_of_birth": 1990, "is_marketable": True},
    {"username": "grace", "name": "Grace Hopper", "language": "en", "country": "US",
     "time_zone": "America/New_York", "year_of_birth": 1986, "is_marketable": True},
    {"username": "alan", "name": "Alan Turing", "language": "en", "country": "GB",
     "time_zone": "Europe/London", "year_of_birth": 1992, "is_marketable": False},
    {"username": "katherine", "name": "Katherine Johnson", "language": "en", "country": "US",
     "time_zone": "America/Chicago", "year_of_birth": 1995, "is_marketable": True},
    {"username": "mateo", "name": "Mateo García", "language": "es", "country": "MX",
     "time_zone": "America/Mexico_City", "year_of_birth": 2001},
    # Registered without a first name, as Open edX registration leaves it: the e-mail editor warns
    # about "{{ learner.first_name }}" being empty for such learners.
    {"username": "sam", "name": "sam", "first_name": "", "language": "en", "country": "IE",
     "time_zone": "Europe/Dublin", "year_of_birth": 1999, "is_marketable": True},
]


def _when(value, today):
    if value is None or isinstance(value, datetime):
        return value
    return today + timedelta(days=value)


class Command(BaseCommand):
    help = "Create the sandbox's demo courses and learners (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        today = dj_timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        for spec in COURSES:
            if Course.objects.filter(course_key=spec["key"]).exists():
                self.stdout.write(f"course {spec['key']} already there")
                continue
            course = services.create_course(
                spec["key"],
                units=spec["units"],
                modes=spec["modes"],
                start=_when(spec["start"], today),
                end=_when(spec["end"], today),
            )
            course.display_name = spec["display_name"]
            course.save(update_fields=["display_name", "modified"])
            for block, days in spec.get("due", {}).items():
                block_type, _, block_id = block.partition(":")
                dates.set_due_date(course.course_key, course.key.make_usage_key(block_type, block_id),
                                   today + timedelta(days=days))
            blocks = len(course.block_keys())
            self.stdout.write(f"created course {course.course_key} “{course.display_name}” ({blocks} blocks)")

        users = get_user_model().objects
        for spec in LEARNERS:
            profile = dict(spec)
            username = profile.pop("username")
            if "first_name" not in profile:  # demo learners have names, as the e-mail templates expect
                first, _space, last = profile["name"].partition(" ")
                profile.update(first_name=first, last_name=last)
            if users.filter(username=username).exists():
                self.stdout.write(f"learner {username} already there")
                continue
            user = services.create_learner(username, **profile)
            self.stdout.write(f"created learner {user.username} <{user.email}> ({profile['time_zone']})")
