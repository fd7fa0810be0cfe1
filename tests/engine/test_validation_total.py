"""Validation is total: any value given to import or update is saved or refused with paths, never a crash.

The properties run few examples in the default suite and thousands in CI's derandomized profile
(``HYPOTHESIS_PROFILE=ci``). On PostgreSQL and MariaDB (``DATABASE_URL``) they also prove that what
validation lets through can be stored: NUL characters and lone surrogates fail only there.
"""
import copy

import pytest
from hypothesis import HealthCheck, given, settings

from lms_automations import api
from lms_automations.engine.definition import dump_document
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Automation, ExitCondition, Step, Trigger

from ..property_budget import examples
from .hostile_documents import BASE_DOCUMENTS, DOCUMENTS, KITCHEN_SINK, deep

pytestmark = pytest.mark.django_db

_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
# Measured on 2 shared cores: 100 examples take 2–7 s here; 3,000 / 2,000 took about 3 minutes each on PostgreSQL.
PROPERTY = settings(max_examples=examples(2000), deadline=None, suppress_health_check=_HEALTH)
UPDATE_PROPERTY = settings(max_examples=examples(1000), deadline=None, suppress_health_check=_HEALTH)
COUNTED = (Automation, Trigger, Step, ExitCondition)


def row_counts():
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts.update({f"historical {model.__name__}": model.history.model.objects.count() for model in COUNTED})
    return counts


def assert_refused_or_saved(save):
    before = row_counts()
    try:
        save()
    except InvalidAutomation as error:
        assert error.errors and all(set(item) == {"path", "message"} for item in error.errors)
        assert all(isinstance(item["path"], str) and item["message"] for item in error.errors)
        assert str(error)
        assert row_counts() == before
        return False
    return True


@PROPERTY
@given(document=DOCUMENTS)
def test_import_saves_or_refuses_any_value_and_writes_nothing_when_it_refuses(document):
    assert_refused_or_saved(lambda: api.import_automation(document))


@UPDATE_PROPERTY
@given(document=DOCUMENTS)
def test_update_saves_or_refuses_any_value_and_keeps_the_definition_when_it_refuses(document):
    automation = _update_target()
    stored = dump_document(automation, reveal_secrets=True)
    if not assert_refused_or_saved(lambda: api.update_automation(automation, document)):
        automation.refresh_from_db()
        assert dump_document(automation, reveal_secrets=True) == stored


_TARGET = {}


def _update_target():
    """One automation per test for every example to update (what a saved example left there is as good)."""
    automation = Automation.objects.filter(pk=_TARGET.get("pk")).first()
    if automation is None:
        automation = api.import_automation(copy.deepcopy(BASE_DOCUMENTS[0]))
        _TARGET["pk"] = automation.pk
    return automation


def kitchen_sink(**changes):
    document = copy.deepcopy(KITCHEN_SINK)
    document["steps"] = document["steps"][1:]  # without the automation.start of automation 1
    document.update(changes)
    return document


def errors_of(document):
    before = row_counts()
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(document)
    assert row_counts() == before
    return {error["path"]: error["message"] for error in refused.value.errors}


@pytest.mark.parametrize(("change", "path", "says"), [
    (lambda d: d["steps"][0].update(type=[]), "steps[0].type", "must be action, wait or branch"),
    (lambda d: d["triggers"][0].update(filter={"all": 5}), "triggers[0].filter.all", "non-empty list"),
    (lambda d: d["triggers"][0]["filter"]["all"][0].update(condition=["event.field"]),
     "triggers[0].filter.all[0].condition", "unknown condition"),
    (lambda d: d["triggers"][0]["filter"]["all"][0].update(params="path"), "triggers[0].filter.all[0].params",
     "must be an object"),
    (lambda d: d["steps"][0].update(params="url"), "steps[0].params", "must be an object"),
    (lambda d: d.update(steps={}), "steps", "must be a list"),
    (lambda d: d["steps"].append(7), "steps[3]", "must be an object"),
    (lambda d: d["steps"][2]["yes"][0]["params"].update(days=10**400), "steps[2].yes[0].params.days",
     "must be between -9007199254740991 and 9007199254740991"),
    (lambda d: d["steps"][2]["yes"][0]["params"].update(days=float("inf")), "steps[2].yes[0].params.days",
     "finite"),
    (lambda d: d["entry"].update(period="P99999999999D"), "entry.period", "at most 36500 days"),
    (lambda d: d["entry"].update(period="P99999D"), "entry.period", "at most 36500 days"),
    (lambda d: d["steps"][1]["params"].update(timeout="P99999999999D"), "steps[1].params.timeout", "a timeout"),
    (lambda d: d["steps"][2]["condition"]["any"][0]["params"].update(value="P99999999999D"),
     "steps[2].condition.any[0].params.value", "needs a period shorter than that"),
    (lambda d: d.update(name="Welcome\x00"), "name", "NUL character"),
    (lambda d: d.update(description="\ud800"), "description", "lone surrogate \\ud800"),
    (lambda d: d["steps"][0]["params"]["headers"].update({"X-\ud800": "1"}), "steps[0].params.headers.X-\\ud800",
     "lone surrogate"),
    (lambda d: d.update(name="n" * 256), "name", "at most 255 characters"),
    (lambda d: d["steps"][0].update(id="i" * 101), "steps[0].id", "1 to 100 characters"),
    (lambda d: d["scope"].update(orgs=["o" * 256]), "scope.orgs[0]", "at most 255 characters"),
    (lambda d: d["triggers"][0].update(filter=deep("not", 3000)), "triggers[0].filter" + ".not" * 61,
     "nested deeper than 64 levels"),
    (lambda d: d["steps"][0]["params"].update(headers=deep("list", 3000)), "steps[0].params.headers" + "[0]" * 60,
     "nested deeper than 64 levels"),
    (lambda d: d["steps"][0]["params"].update(headers={"a": (1, 2)}), "steps[0].params.headers.a",
     "not a JSON value"),
    (lambda d: d["steps"][0]["params"].update(body="{% if a %}" * 3000 + "{% endif %}" * 3000),
     "steps[0].params.body", "nested too deeply"),
])
def test_a_hostile_value_is_refused_with_its_path_and_what_to_change(change, path, says):
    document = kitchen_sink()
    change(document)
    errors = errors_of(document)
    assert path in errors, errors
    assert says in errors[path]


def test_the_kitchen_sink_itself_is_valid():
    automation = api.import_automation(kitchen_sink())
    assert automation.steps.count() == 5


def test_automation_id_that_is_a_list_is_refused():
    document = kitchen_sink(steps=[{"id": "s", "type": "action", "action": "automation.start",
                                    "params": {"automation_id": [1]}}])
    assert "steps[0].params.automation_id" in errors_of(document)


# --- automation.start cycles -------------------------------------------------------------------------

def starting(name, target):
    steps = [] if target is None else [{"id": "start", "type": "action", "action": "automation.start",
                                        "params": {"automation_id": target}}]
    steps.append({"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [name]}})
    return {"format": "lms-automations/v1", "name": name, "triggers": [{"event": "enrollment.created"}],
            "steps": steps}


def test_updating_a_to_start_b_that_starts_a_is_refused():
    first = api.import_automation(starting("A", None))
    api.import_automation(starting("B", first.pk))
    second = Automation.objects.get(name="B")
    with pytest.raises(InvalidAutomation) as refused:
        api.update_automation(first, starting("A", second.pk))
    assert refused.value.errors[0]["path"] == "steps[0].params.automation_id"
    assert "leads back" in refused.value.errors[0]["message"]
    assert not first.steps.filter(kind="automation.start").exists()


def test_importing_an_automation_that_a_waiting_start_step_already_names_is_refused():
    """A starts the id the next import will get; importing B (that id) which starts A would close the loop."""
    first = api.import_automation(starting("A", None))
    next_id = first.pk + 1
    api.update_automation(first, starting("A", next_id))
    before = row_counts()
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(starting("B", first.pk))
    assert "leads back" in refused.value.errors[0]["message"]
    assert row_counts() == before


def test_importing_an_automation_that_starts_its_own_future_id_is_refused():
    first = api.import_automation(starting("A", None))
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(starting("B", first.pk + 1))
    assert "cannot start itself" in refused.value.errors[0]["message"]
