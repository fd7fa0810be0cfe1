"""``PROBLEM_WEIGHTED_SCORE_CHANGED`` of edx-platform's grades app, sent through the stand-in tree as
the LMS sends it, becomes ``problem.passed`` / ``problem.failed`` with the score."""
import datetime

import pytest

from lms_automations.models import Event
from sandbox.lms import services

from .conftest import COURSE, NOW

pytestmark = pytest.mark.django_db
PROBLEM = "block-v1:Demo+OX1+2026+type@problem+block@quiz"


@pytest.fixture
def score_signal(lms):  # pylint: disable=unused-argument
    from lms.djangoapps.grades.signals.signals import (  # pylint: disable=import-outside-toplevel
        PROBLEM_WEIGHTED_SCORE_CHANGED,
    )

    from sandbox.lms.apps import connect_plugin_receivers  # pylint: disable=import-outside-toplevel

    connect_plugin_receivers()  # as edx-platform's PluginsConfig.ready(): the grades signal is importable now
    return PROBLEM_WEIGHTED_SCORE_CHANGED


def send(signal, user, earned, possible, minutes=0, **extra):
    kwargs = {"weighted_earned": earned, "weighted_possible": possible, "user_id": user.pk,
              "anonymous_user_id": "anon", "course_id": str(COURSE), "usage_id": PROBLEM, "only_if_higher": False,
              "modified": NOW + datetime.timedelta(minutes=minutes), "score_db_table": "courseware_studentmodule",
              "score_deleted": False, **extra}
    signal.send(sender=None, **kwargs)


def recorded():
    return [(e.event_type, e.payload["earned"], e.payload["percent"]) for e in Event.objects.order_by("id")]


def test_attempts_below_full_marks_fail_each_time_and_full_marks_pass_once(score_signal):
    ada = services.create_learner("ada")
    send(score_signal, ada, 1, 3)
    send(score_signal, ada, 1, 3)  # the same delivery again (same score time): one event
    send(score_signal, ada, 2, 3, minutes=5)
    send(score_signal, ada, 3, 3, minutes=9)
    send(score_signal, ada, 3, 3, minutes=12)  # re-submitted at full marks: no new pass
    assert recorded() == [("problem.failed", 1.0, 33.33), ("problem.failed", 2.0, 66.67),
                          ("problem.passed", 3.0, 100.0)]
    passed = Event.objects.get(event_type="problem.passed")
    assert passed.payload["problem_key"] == PROBLEM and passed.payload["course_key"] == str(COURSE)
    assert passed.occurred_at == NOW + datetime.timedelta(minutes=9)


@pytest.mark.parametrize("extra", [{"score_deleted": True}, {"weighted_possible": 0}, {"weighted_earned": None}])
def test_a_reset_or_unscored_problem_is_no_attempt(score_signal, extra):
    ada = services.create_learner("ada")
    send(score_signal, ada, 0, 2, **extra)
    assert not Event.objects.exists()


def test_a_bad_payload_never_breaks_the_lms(score_signal):
    send(score_signal, services.create_learner("ada"), 1, 2, usage_id="not a key", course_id=None)
    assert not Event.objects.exists()
