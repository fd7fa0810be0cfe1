"""Per-problem status through the sandbox, as the LMS sends it (PROBLEM_WEIGHTED_SCORE_CHANGED): a
hint after a weak attempt, congratulations once per problem however often it is re-submitted."""
import pytest

from lms_automations import api
from lms_automations.models import Event, LearnerTag, Run
from sandbox.lms import services

W1 = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


def on(event, name, filter_=None):
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active", "execution": "async",
        "scope": {"courses": [W1], "orgs": []}, "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": event, "filter": filter_}], "exit_conditions": [],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [name]}}],
    })


@pytest.fixture
def quiz():
    course = services.create_course(W1)
    return next(key for key in course.block_keys() if "type@problem" in key)


def test_a_weak_attempt_sends_a_hint_and_full_marks_congratulate_once(lms, quiz):
    weak = {"all": [{"condition": "event.field", "params": {"path": "percent", "op": "lt", "value": 50}}]}
    hint = on("problem.failed", "hint", weak)
    cheer = on("problem.passed", "cheer")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, W1)

    lms(services.score_problem, ada, quiz, 1, 4)  # 25 %: failed, and weak
    lms(services.score_problem, ada, quiz, 3, 4)  # 75 %: failed, not weak
    lms(services.score_problem, ada, quiz, 4, 4)  # passed
    lms(services.score_problem, ada, quiz, 4, 4)  # re-submitted: the LMS sends it again

    failed = Event.objects.filter(event_type="problem.failed").order_by("id")
    assert [(e.payload["earned"], e.payload["possible"], e.payload["percent"]) for e in failed] == [
        (1.0, 4.0, 25.0), (3.0, 4.0, 75.0)]
    assert failed[0].payload["problem_key"] == quiz and failed[0].payload["course_key"] == W1
    assert Run.objects.filter(automation=hint, user=ada).count() == 1
    assert Run.objects.filter(automation=cheer, user=ada).count() == 1
    assert set(LearnerTag.objects.filter(user=ada).values_list("tag", flat=True)) == {"hint", "cheer"}
    assert Event.objects.filter(event_type="problem.passed").count() == 1


def test_a_scored_problem_is_also_a_completed_block(lms, quiz):
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.score_problem, ada, quiz, 0, 1)
    assert Event.objects.filter(event_type="progress.block_completed", payload__block_key=quiz).exists()
