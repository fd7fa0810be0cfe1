"""The seed command, the admin pages and the migrations of the stand-in LMS."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from sandbox.lms import models, services
from sandbox.lms.models import Course, UserAttribute

pytestmark = pytest.mark.django_db


def seed():
    out = io.StringIO()
    call_command("seed_sandbox", stdout=out)
    return out.getvalue()


def test_seed_is_idempotent_and_sends_no_learner_event(recorder):
    first = seed()

    welcome = Course.objects.get(course_key="course-v1:Demo+W1+2026")
    assert welcome.display_name == "Welcome to Open edX"
    others = Course.objects.exclude(pk=welcome.pk)
    assert [("verified" in c.modes, c.end is not None) for c in others] == [(True, True), (True, True)]
    users = get_user_model().objects
    assert {"ada", "grace", "alan"} <= set(users.values_list("username", flat=True))
    assert users.get(username="grace").profile.time_zone == "America/New_York"
    assert UserAttribute.get_user_attribute(users.get(username="alan"), "is_marketable") == "false"
    assert "created course course-v1:Demo+W1+2026" in first
    assert "created learner ada" in first
    assert recorder.sent == []

    counts = (Course.objects.count(), users.count(), models.Block.objects.count())
    second = seed()

    assert (Course.objects.count(), users.count(), models.Block.objects.count()) == counts
    assert "created" not in second
    assert "course course-v1:Demo+W1+2026 already there" in second


ADMIN_MODELS = [
    models.UserProfile,
    models.Course,
    models.Unit,
    models.Block,
    models.CourseEnrollment,
    models.PersistentCourseGrade,
    models.GeneratedCertificate,
    models.CohortMembership,
    models.UserActivity,
    models.UserAttribute,
]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_admin_lists_and_searches(admin_client, model):
    seed()
    ada = get_user_model().objects.get(username="ada")
    services.enroll(ada, "course-v1:Demo+W1+2026")
    services.set_grade(ada, "course-v1:Demo+W1+2026", 0.6, passed=True)
    services.award_certificate(ada, "course-v1:Demo+W1+2026")
    services.join_cohort(ada, "course-v1:Demo+W1+2026", "A")
    services.complete_block(ada, Course.objects.get(course_key="course-v1:Demo+W1+2026").block_keys()[0])

    name = model._meta.model_name
    changelist = reverse(f"admin:sandbox_lms_{name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "ada"}).status_code == 200
    change = reverse(f"admin:sandbox_lms_{name}_change", args=[model.objects.first().pk])
    assert admin_client.get(change).status_code == 200


def test_migrations_match_the_models():
    call_command("makemigrations", "sandbox_lms", "--check", "--dry-run", verbosity=0)
