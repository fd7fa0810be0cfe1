"""BlockCompletion saves, through the real edx-completion: only reaching 1.0 is an event, once per block."""
import datetime

import pytest
import time_machine
from completion.models import BlockCompletion
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import UsageKey
from waffle.testutils import override_switch

from lms_automations.handlers.base import MAX_KEY_LENGTH, business_key
from lms_automations.models import Event

from .factories import COURSE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("completion_tracking")]
QUIZ = UsageKey.from_string("block-v1:Demo+W1+2026+type@problem+block@quiz-1")
VIDEO = UsageKey.from_string("block-v1:Demo+W1+2026+type@video+block@intro")
#: The RequestCache namespace in which edx-toggles keeps switch values for the rest of a request (thread).
WAFFLE_CACHE = "WaffleNamespace"
MORNING = datetime.datetime(2026, 4, 10, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture
def completion_tracking():
    """edx-completion's switch on; edx-toggles' per-thread cache is cleared so no earlier test's value sticks."""
    cache = RequestCache(WAFFLE_CACHE)
    cache.clear()
    with override_switch("completion.enable_completion_tracking", active=True):
        yield
    cache.clear()


def submit(user, block, value):
    completion, _created = BlockCompletion.objects.submit_completion(user, block, value)
    return completion


def test_partial_completion_records_nothing(ada):
    submit(ada, QUIZ, 0.5)

    assert BlockCompletion.objects.get().completion == 0.5
    assert not Event.objects.exists()


@time_machine.travel(MORNING, tick=False)
def test_completing_a_block_records_one_event(ada):
    completion = submit(ada, QUIZ, 1.0)

    event = Event.objects.get()
    assert (event.event_type, event.user, event.source) == ("progress.block_completed", ada, "django_signal")
    assert event.payload == {
        "user_id": ada.id,
        "course_key": COURSE,
        "block_key": str(QUIZ),
        "block_type": "problem",
    }
    assert event.occurred_at == completion.modified == MORNING
    assert event.idempotency_key == f"completion:{ada.id}:{QUIZ}"


def test_partial_then_complete_is_recorded_when_it_reaches_one(ada):
    with time_machine.travel(MORNING, tick=False):
        submit(ada, QUIZ, 0.5)
    with time_machine.travel(MORNING + datetime.timedelta(hours=2), tick=False):
        submit(ada, QUIZ, 1.0)

    event = Event.objects.get()
    assert event.event_type == "progress.block_completed"
    assert event.occurred_at == MORNING + datetime.timedelta(hours=2)


def test_a_block_completed_again_is_not_a_new_event(ada):
    submit(ada, QUIZ, 1.0)
    submit(ada, QUIZ, 1.0)  # unchanged: edx-completion does not even save
    submit(ada, QUIZ, 0.0)  # reset…
    submit(ada, QUIZ, 1.0)  # …and completed again: same (learner, block)

    assert Event.objects.count() == 1


def test_each_block_and_each_learner_is_its_own_event(ada, bob):
    submit(ada, QUIZ, 1.0)
    submit(ada, VIDEO, 1.0)
    submit(bob, QUIZ, 1.0)

    assert sorted(Event.objects.values_list("user__username", "payload__block_type")) == [
        ("ada", "problem"),
        ("ada", "video"),
        ("bob", "problem"),
    ]


def test_fixture_loading_is_not_learner_activity(ada):
    completion = BlockCompletion(user=ada, context_key=QUIZ.course_key, block_key=QUIZ, block_type="problem")
    completion.completion = 1.0
    completion.save_base(raw=True)

    assert BlockCompletion.objects.count() == 1
    assert not Event.objects.exists()


def test_business_keys_stay_readable_and_never_truncate_into_each_other():
    assert business_key("completion", 7, QUIZ) == f"completion:7:{QUIZ}"

    long_a = business_key("completion", 7, "block-v1:Org+Course+Run+type@html+block@" + "a" * 300)
    long_b = business_key("completion", 7, "block-v1:Org+Course+Run+type@html+block@" + "a" * 299 + "b")
    assert len(long_a) <= MAX_KEY_LENGTH and len(long_b) <= MAX_KEY_LENGTH
    assert long_a != long_b
    assert long_a.startswith("completion:sha256:")
