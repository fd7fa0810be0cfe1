"""Playing a learner from the sandbox's own page: each button emits what the LMS would emit."""
import datetime
import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from sandbox.lms import services
from sandbox.lms.models import UserActivity

from .conftest import COURSE

pytestmark = pytest.mark.django_db
PLAY = "/play/"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _play(client, ada, action, **fields):
    response = client.post(PLAY, {"learner": ada.pk, "course": COURSE, "action": action, **fields}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_enrol_emits_the_enrolment_signals(staff_client, course, ada, recorder):
    said = _play(staff_client, ada, "enroll", mode="verified")
    assert said == [f"Ada Lovelace enrolled in {COURSE} (verified)."]
    assert "course.enrollment.created" in recorder.names()
    assert services.get_enrollment(ada, COURSE).mode == "verified"


def test_completing_a_lesson_completes_each_of_its_blocks(staff_client, course, ada, recorder):
    services.enroll(ada, COURSE)
    recorder.clear()
    unit = course.units.order_by("position").first()
    _play(staff_client, ada, "complete_unit", unit=unit.usage_key)
    assert recorder.names().count("BlockCompletion.post_save") == unit.blocks.count() == 2


def test_completing_a_block_of_another_course_is_refused(staff_client, course, ada, recorder):
    other = services.create_course("course-v1:Demo+PY101+2026")
    block = other.units.first().blocks.first()
    said = _play(staff_client, ada, "complete_block", block=block.usage_key)
    assert "refused" in said[0] and recorder.sent == []


def test_a_grade_and_a_certificate(staff_client, course, ada, recorder):
    services.enroll(ada, COURSE)
    recorder.clear()
    _play(staff_client, ada, "grade", percent=85, passed="on")
    names = recorder.names()
    assert any("grade" in name for name in names) and any("passing" in name for name in names)
    recorder.clear()
    _play(staff_client, ada, "certificate")
    assert "certificate.created" in recorder.names()


def test_going_quiet_moves_the_learners_activity_back(staff_client, course, ada, recorder):
    services.enroll(ada, COURSE)
    services.record_activity(ada, COURSE)
    today = UserActivity.objects.get(user=ada).date
    said = _play(staff_client, ada, "quiet", days=8)
    assert UserActivity.objects.get(user=ada).date == today - datetime.timedelta(days=8)
    assert "Run the inactivity scan" in said[0]


def test_letting_days_pass_resumes_only_this_learners_waits_due_by_then(staff_client, course, ada):
    from lms_automations import api  # pylint: disable=import-outside-toplevel
    from lms_automations.models import CustomEventType, LearnerTag, Run  # pylint: disable=import-outside-toplevel

    CustomEventType.objects.get_or_create(slug="go", defaults={"label": "Go"})
    automation = api.import_automation({
        "format": "lms-automations/v1", "name": "Two days", "status": "active", "triggers": [{"event": "custom.go"}],
        "steps": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 2}},
                  {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["later"]}}]})
    grace = services.create_learner("grace", "grace@example.com", first_name="Grace")
    api.start_learners(automation, [ada, grace])
    assert _play(staff_client, ada, "wake", ahead=1) == ["1 day passed for Ada Lovelace: 0 runs resumed."]
    assert not LearnerTag.objects.exists(), "a day is not enough for a two-day wait"
    assert _play(staff_client, ada, "wake", ahead=2) == ["2 days passed for Ada Lovelace: 1 run resumed."]
    assert list(LearnerTag.objects.values_list("user__username", "tag")) == [("ada", "later")]
    assert Run.objects.get(user=grace).current_step_id == "wait", "other learners' waits are left alone"


def test_a_learner_without_activity_goes_quiet_from_n_days_ago(course, ada):
    day = services.move_activity_back(ada, COURSE, 10)
    assert list(UserActivity.objects.filter(user=ada).values_list("date", flat=True)) == [day]
    assert (timezone.localdate() - day).days == 10


def test_the_page_is_for_staff_and_is_the_admins_view_site(client, course, ada):
    assert client.get(PLAY).status_code == 302  # to the admin login
    assert admin.site.site_url == PLAY


def test_the_page_remembers_the_learner_and_shows_their_state(staff_client, course, ada):
    services.enroll(ada, COURSE)
    _play(staff_client, ada, "grade", percent=40)
    page = staff_client.get(PLAY).content.decode()
    assert "40%" in page and f"/admin/lms_automations/learner/{ada.pk}/" in page


def test_demo_learners_have_first_names_but_one(db):
    call_command("seed_sandbox", stdout=io.StringIO())
    names = dict(get_user_model().objects.values_list("username", "first_name"))
    assert names["ada"] == "Ada" and names["mateo"] == "Mateo"
    assert names["sam"] == ""


def test_submitting_a_problem_sends_its_score(staff_client, course, ada, recorder):
    services.enroll(ada, COURSE)
    recorder.clear()
    problem = next(key for key in course.block_keys() if "type@problem" in key)
    said = _play(staff_client, ada, "score_problem", block=problem, earned=1, possible=2)
    assert said == [f"Ada Lovelace scored 1/2 on {problem}."]
    assert recorder.names()[0] == "PROBLEM_WEIGHTED_SCORE_CHANGED"


def test_ending_audit_access_then_scanning_records_access_ended(staff_client, course, ada):
    from lms_automations.models import Automation, Event, Trigger  # pylint: disable=import-outside-toplevel

    Trigger.objects.create(automation=Automation.objects.create(name="access", status="active"), position=0,
                           event_type="access.ended")
    services.enroll(ada, COURSE)
    said = _play(staff_client, ada, "end_access")
    assert "Run the access scan" in said[0]
    assert _play(staff_client, ada, "access_scan") == ["The access scan recorded 1 event(s)."]
    assert Event.objects.get(event_type="access.ended").payload["reason"] == "audit_expired"
    assert _play(staff_client, ada, "access_scan") == ["The access scan recorded 0 event(s)."]


def test_a_verified_learners_access_cannot_be_ended_alone(staff_client, course, ada):
    services.enroll(ada, COURSE, mode="verified")
    said = _play(staff_client, ada, "end_access")
    assert "refused" in said[0] and "ends with the course" in said[0]


def test_demo_courses_have_due_dates(db):
    from sandbox.lms import dates  # pylint: disable=import-outside-toplevel

    call_command("seed_sandbox", stdout=io.StringIO())
    due = dates.due_dates(None, "course-v1:Demo+PY101+2026")
    assert sorted(key.rpartition("@")[2] for key in due) == ["final-exam", "loops-quiz", "variables-quiz"]
