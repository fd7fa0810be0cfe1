"""Course outlines, block completions through the real edx-completion, and daily activity."""
import datetime

import pytest
import time_machine
from completion.models import BlockCompletion
from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey, UsageKey
from waffle.models import Switch

from sandbox.lms import services
from sandbox.lms.models import Block, Course, ProblemScore, Unit, UserActivity

from .conftest import COURSE

pytestmark = pytest.mark.django_db
KEY = CourseKey.from_string(COURSE)
MORNING = datetime.datetime(2026, 4, 10, 7, 0, tzinfo=datetime.UTC)


def test_default_outline_is_three_units_of_two_typed_blocks(recorder):
    course = services.create_course(COURSE, start=MORNING)

    assert recorder.sent == []
    assert (course.org, course.modes, course.start, course.end) == ("Demo", ["audit", "verified"], MORNING, None)
    assert list(course.units.values_list("usage_key", "display_name")) == [
        ("block-v1:Demo+W1+2026+type@vertical+block@unit-1", "Unit 1"),
        ("block-v1:Demo+W1+2026+type@vertical+block@unit-2", "Unit 2"),
        ("block-v1:Demo+W1+2026+type@vertical+block@unit-3", "Unit 3"),
    ]
    assert course.block_keys() == [
        "block-v1:Demo+W1+2026+type@html+block@welcome",
        "block-v1:Demo+W1+2026+type@video+block@intro",
        "block-v1:Demo+W1+2026+type@html+block@reading",
        "block-v1:Demo+W1+2026+type@problem+block@quiz-1",
        "block-v1:Demo+W1+2026+type@video+block@lecture",
        "block-v1:Demo+W1+2026+type@problem+block@final-quiz",
    ]
    assert UsageKey.from_string(course.block_keys()[3]).block_type == "problem"


def test_custom_outline_and_recreating_a_course(recorder):
    course = services.create_course(COURSE, units=[["a", "problem:b"], ["video:c"]], modes=("audit",))
    assert [(b.unit.position, b.block_type, b.key.block_id) for b in Block.objects.all()] == [
        (1, "html", "a"),
        (1, "problem", "b"),
        (2, "video", "c"),
    ]
    Course.objects.filter(pk=course.pk).update(display_name="Renamed by staff")

    again = services.create_course(COURSE, units=[["x"]], modes=("audit", "verified"))

    assert again.pk == course.pk
    assert again.display_name == "Renamed by staff"
    assert again.modes == ["audit", "verified"]
    assert again.block_keys() == ["block-v1:Demo+W1+2026+type@html+block@x"]
    assert Unit.objects.count() == 1


@time_machine.travel(MORNING, tick=False)
def test_complete_block_saves_a_block_completion_and_records_activity(recorder, course, ada):
    block_key = course.block_keys()[0]

    completion = services.complete_block(ada, block_key)

    assert [(s.name, s.created) for s in recorder.sent] == [("BlockCompletion.post_save", True)]
    saved = recorder.sent[0].data
    assert (saved.user, saved.context_key, str(saved.block_key), saved.block_type, saved.completion) == (
        ada,
        KEY,
        block_key,
        "html",
        1.0,
    )
    assert completion == BlockCompletion.objects.get()
    assert list(UserActivity.objects.values_list("user", "course_key", "date")) == [
        (ada.id, COURSE, MORNING.date())
    ]


def test_completing_a_complete_block_saves_and_sends_nothing(recorder, course, ada):
    block_key = UsageKey.from_string(course.block_keys()[1])
    services.complete_block(ada, block_key)
    recorder.clear()

    services.complete_block(ada, block_key)

    assert recorder.sent == []
    assert BlockCompletion.objects.count() == 1
    assert UserActivity.objects.count() == 1


def test_a_partial_completion_reaching_one_saves_again(recorder, course, ada):
    block_key = UsageKey.from_string(course.block_keys()[3])
    BlockCompletion.objects.submit_completion(ada, block_key, 0.5)
    recorder.clear()

    services.complete_block(ada, block_key)

    assert [(s.name, s.created, s.data.completion) for s in recorder.sent] == [
        ("BlockCompletion.post_save", False, 1.0)
    ]


def _switch():
    return Switch.objects.filter(name=ENABLE_COMPLETION_TRACKING_SWITCH.name).first()


def test_completion_tracking_switch_is_on_and_recreated_when_missing(
    recorder, course, ada, django_capture_on_commit_callbacks
):
    assert _switch().active  # from the data migration
    with django_capture_on_commit_callbacks(execute=True):  # waffle flushes its cache on commit
        _switch().delete()
    RequestCache.clear_all_namespaces()  # a new request
    assert not ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled()

    services.complete_block(ada, course.block_keys()[0])

    assert _switch().active
    assert recorder.names() == ["BlockCompletion.post_save"]


def test_completion_tracking_switch_turned_off_is_respected(recorder, course, ada, django_capture_on_commit_callbacks):
    switch = _switch()
    switch.active = False
    with django_capture_on_commit_callbacks(execute=True):
        switch.save()
    RequestCache.clear_all_namespaces()

    with pytest.raises(RuntimeError):  # edx-completion refuses, as in an LMS with tracking off
        services.complete_block(ada, course.block_keys()[1])

    assert recorder.sent == []
    switch.active = True  # leave no "off" in waffle's cache for the tests after this one
    with django_capture_on_commit_callbacks(execute=True):
        switch.save()
    RequestCache.clear_all_namespaces()


def test_record_activity_keeps_one_row_per_day(recorder, ada):
    with time_machine.travel(MORNING, tick=False):
        first = services.record_activity(ada, COURSE)
        assert services.record_activity(ada, KEY) == first
    with time_machine.travel(MORNING + datetime.timedelta(days=1), tick=False):
        services.record_activity(ada, COURSE)
    services.record_activity(ada, COURSE, at=MORNING - datetime.timedelta(days=3))

    assert sorted(UserActivity.objects.values_list("date", flat=True)) == [
        datetime.date(2026, 4, 7),
        datetime.date(2026, 4, 10),
        datetime.date(2026, 4, 11),
    ]
    assert recorder.sent == []


def test_a_scored_attempt_sends_the_lms_signal_then_completes_the_problem(course, ada, recorder):
    problem = next(key for key in course.block_keys() if "type@problem" in key)
    services.score_problem(ada, problem, 0.5, 2)
    services.score_problem(ada, problem, 0.5, 2)  # a re-attempt with the same score is sent again
    assert recorder.names() == ["PROBLEM_WEIGHTED_SCORE_CHANGED", "BlockCompletion.post_save",
                                "PROBLEM_WEIGHTED_SCORE_CHANGED"]
    sent = recorder.sent[0].data
    assert (sent["weighted_earned"], sent["weighted_possible"], sent["user_id"]) == (0.5, 2.0, ada.pk)
    assert sent["usage_id"] == problem and sent["course_id"] == COURSE and sent["score_deleted"] is False
    assert ProblemScore.objects.get(user=ada).earned == 0.5


@pytest.mark.parametrize("earned, possible", [(3, 2), (-1, 2), (1, 0)])
def test_an_impossible_score_is_refused_and_sends_nothing(course, ada, recorder, earned, possible):
    problem = next(key for key in course.block_keys() if "type@problem" in key)
    with pytest.raises(ValueError, match="earned ≤ possible"):
        services.score_problem(ada, problem, earned, possible)
    assert recorder.names() == []
