"""automation.run: the learner's state in another automation, from its runs."""
import pytest
from django.utils import timezone

from lms_automations.engine.errors import PermanentError
from lms_automations.models import Automation, Run

pytestmark = pytest.mark.django_db
STATES = ("active", "finished", "converted", "never")


@pytest.fixture
def onboarding():
    return Automation.objects.create(name="Onboarding")


def states(evaluate, user, automation):
    return {state for state in STATES
            if evaluate(user, "automation.run", {"automation_id": automation.pk, "state": state})[0]}


def run(automation, user, status):
    return Run.objects.create(automation=automation, user=user, status=status, started_at=timezone.now())


def test_never_entered(evaluate, ada, onboarding):
    assert states(evaluate, ada, onboarding) == {"never"}
    assert evaluate(ada, "automation.run", {"automation_id": onboarding.pk, "state": "never"}) == (True, [])


@pytest.mark.parametrize(("statuses", "expected"), [
    (["pending"], {"active"}),
    (["executing"], {"active"}),
    (["fulfilled"], {"finished"}),
    (["exited"], {"finished"}),
    (["failed"], {"finished"}),
    (["converted"], {"finished", "converted"}),
    (["converted", "pending"], {"active", "finished", "converted"}),
])
def test_states_from_runs(evaluate, ada, onboarding, statuses, expected):
    for status in statuses:
        run(onboarding, ada, status)
    assert states(evaluate, ada, onboarding) == expected


def test_only_this_learners_runs_of_this_automation_count(evaluate, ada, onboarding):
    from sandbox.lms import services

    other = services.create_learner("other")
    run(onboarding, other, "pending")
    run(Automation.objects.create(name="Another"), ada, "pending")
    assert states(evaluate, ada, onboarding) == {"never"}


def test_the_automation_id_may_come_from_the_event(evaluate, ada, onboarding):
    run(onboarding, ada, "converted")
    params = {"automation_id": "{{ event.automation_id }}", "state": "converted"}
    assert evaluate(ada, "automation.run", params, event={"automation_id": onboarding.pk}) == (True, ["converted"])


def test_an_automation_that_does_not_exist_is_an_error(evaluate, ada):
    with pytest.raises(PermanentError, match="no automation 9999"):
        evaluate(ada, "automation.run", {"automation_id": 9999, "state": "never"})


# --- automation.step_reached -----------------------------------------------------------------------


def test_a_step_is_reached_when_taken_or_stood_at(evaluate, ada, onboarding):
    from lms_automations.models import RunLog, Step  # pylint: disable=import-outside-toplevel

    for position, step_id in enumerate(("welcome", "nudge")):
        Step.objects.create(automation=onboarding, step_id=step_id, step_type="action", kind="tag.add",
                            params={"tags": ["x"]}, position=position)
    params = {"automation_id": onboarding.pk, "step_id": "nudge"}
    assert evaluate(ada, "automation.step_reached", params) == (False, None)
    waiting = run(onboarding, ada, "pending")
    waiting.current_step_id = "nudge"
    waiting.save()
    assert evaluate(ada, "automation.step_reached", params) == (True, "nudge")
    waiting.status, waiting.current_step_id = "exited", ""
    waiting.save()
    assert evaluate(ada, "automation.step_reached", params) == (False, None)
    RunLog.objects.create(run=waiting, at=timezone.now(), step_id="nudge", kind="action", message="tag.add done")
    assert evaluate(ada, "automation.step_reached", params) == (True, "nudge")


def test_a_step_the_automation_lacks_is_a_permanent_error(evaluate, ada, onboarding):
    with pytest.raises(PermanentError, match="has no step 'nowhere'"):
        evaluate(ada, "automation.step_reached", {"automation_id": onboarding.pk, "step_id": "nowhere"})
