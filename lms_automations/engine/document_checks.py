"""Structural checks of a v1 automation document (SPEC §3, §6), collecting every error with its path.

These checks need no catalogue: shapes, allowed values, limits, step ids, course keys. Checks
against catalogue entries (known keys, params schemas, templates) run on top of them.
"""
import datetime

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..models import Automation, ExitCondition
from .entry_periods import MAX_MONTHS, parse_entry_period

FORMAT = "lms-automations/v1"
MAX_TRIGGERS = 10
MAX_EXIT_CONDITIONS = 10
MAX_STEPS = 200
MAX_BRANCH_DEPTH = 10
#: Column sizes of what the document's texts are stored in (``Automation.name``, ``Step.step_id`` …).
MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 10_000
MAX_KEY_LENGTH = 100  # event types, action and wait keys
MAX_SCOPE_ITEM_LENGTH = 255
MAX_STEP_ID_LENGTH = 100
#: The longest once_per period: a century keeps "now - period" a date Python can hold.
MAX_ENTRY_PERIOD = datetime.timedelta(days=36_500)

TOP_KEYS = {
    "format", "name", "description", "scope", "status", "execution", "entry", "triggers", "steps", "exit_conditions",
}
STEP_KEYS = {
    "action": {"id", "type", "action", "params"},
    "wait": {"id", "type", "wait", "params"},
    "branch": {"id", "type", "condition", "yes", "no"},
}


class ErrorList(list):
    """Errors as ``{"path", "message"}`` dicts."""

    def add(self, path, message):
        self.append({"path": path, "message": message})


def check_document(document):
    """Every structural error of ``document`` (an empty list when it is well formed)."""
    errors = ErrorList()
    if not isinstance(document, dict):
        errors.add("$", "the document must be a JSON object")
        return errors
    if document.get("format") != FORMAT:
        errors.add("format", f'must be "{FORMAT}" (got {document.get("format")!r})')
    for key in sorted(set(document) - TOP_KEYS):
        errors.add(key, f"unknown key; allowed keys are {', '.join(sorted(TOP_KEYS))}")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.add("name", "give the automation a name")
    elif len(name) > MAX_NAME_LENGTH:
        errors.add("name", f"at most {MAX_NAME_LENGTH} characters (got {len(name)})")
    description = document.get("description", "")
    if not isinstance(description, str):
        errors.add("description", "must be text")
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        errors.add("description", f"at most {MAX_DESCRIPTION_LENGTH} characters (got {len(description)})")
    _check_scope(document.get("scope", {}), errors)
    _check_choice(document, "status", Automation.STATUS, errors, exclude=("finishing",))
    _check_choice(document, "execution", Automation.EXECUTION, errors)
    _check_entry(document.get("entry", {}), errors)
    _check_triggers(document.get("triggers"), errors)
    _check_steps(document.get("steps", []), errors)
    _check_exit_conditions(document.get("exit_conditions", []), errors)
    return errors


def _check_choice(container, key, choices, errors, path=None, exclude=()):
    value = container.get(key)
    allowed = [value for value, _label in choices if value not in exclude]
    if value is not None and value not in allowed:
        errors.add(path or key, f"must be one of {', '.join(allowed)} (got {value!r})")


def _check_scope(scope, errors):
    if not isinstance(scope, dict):
        errors.add("scope", 'must be an object like {"courses": [...], "orgs": [...]}')
        return
    for key in sorted(set(scope) - {"courses", "orgs"}):
        errors.add(f"scope.{key}", "unknown key; use courses and orgs")
    for key in ("courses", "orgs"):
        values = scope.get(key, [])
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            errors.add(f"scope.{key}", "must be a list of strings")
            continue
        too_long = [index for index, value in enumerate(values) if len(value) > MAX_SCOPE_ITEM_LENGTH]
        for index in too_long:
            errors.add(f"scope.{key}[{index}]", f"at most {MAX_SCOPE_ITEM_LENGTH} characters")
        if key == "courses" and not too_long:
            for index, value in enumerate(values):
                check_course_key(value, f"scope.courses[{index}]", errors)


def check_course_key(value, path, errors):
    """Add an error unless ``value`` parses as an Open edX course key (templates are left alone)."""
    if isinstance(value, str) and "{{" in value:
        return
    if isinstance(value, str) and len(value) > MAX_SCOPE_ITEM_LENGTH:
        errors.add(path, f"a course key has at most {MAX_SCOPE_ITEM_LENGTH} characters")
        return
    try:
        CourseKey.from_string(value)
    except (InvalidKeyError, TypeError):
        errors.add(path, f"{value!r} is not a course key; use the form course-v1:ORG+COURSE+RUN")


def _check_entry(entry, errors):
    if not isinstance(entry, dict):
        errors.add("entry", 'must be an object like {"policy": "each_time", "period": null}')
        return
    for key in sorted(set(entry) - {"policy", "period"}):
        errors.add(f"entry.{key}", "unknown key; use policy and period")
    _check_choice(entry, "policy", Automation.ENTRY_POLICY, errors, path="entry.policy")
    period = entry.get("period")
    if entry.get("policy") == "once_per":
        if not period:
            errors.add("entry.period", "the once_per policy needs a period, e.g. P1D, P7D or P1M")
    elif period:
        errors.add("entry.period", "a period applies only to the once_per policy; set it to null")
    if period:
        try:
            months, length = parse_entry_period(period)
            length += datetime.timedelta(days=31 * months)  # the longest those months can be
        except ValueError as exc:
            errors.add("entry.period", str(exc))
        except OverflowError:
            errors.add("entry.period", f"at most {MAX_ENTRY_PERIOD.days} days (got {period})")
        else:
            if months > MAX_MONTHS:
                errors.add("entry.period", f"at most {MAX_MONTHS} months (got {period}); for ever, use the once "
                           "policy")
            elif length.total_seconds() <= 0:
                errors.add("entry.period", "must be longer than zero")
            elif length > MAX_ENTRY_PERIOD:
                errors.add("entry.period", f"at most {MAX_ENTRY_PERIOD.days} days (got {period}); for ever, use "
                           "the once policy")


def _check_event_filter(item, path, errors):
    if not isinstance(item.get("event"), str) or not item.get("event"):
        errors.add(f"{path}.event", "name the event type, e.g. enrollment.created")
    elif len(item["event"]) > MAX_KEY_LENGTH:
        errors.add(f"{path}.event", f"an event type has at most {MAX_KEY_LENGTH} characters")
    if item.get("filter") is not None and not isinstance(item["filter"], dict):
        errors.add(f"{path}.filter", "must be a condition object or null")
    if "params" in item and not isinstance(item["params"], dict):
        errors.add(f"{path}.params", "must be an object, e.g. {\"days\": 10}")


def _check_triggers(triggers, errors):
    if not isinstance(triggers, list) or not triggers:
        errors.add("triggers", "add at least one trigger: the event that starts a run")
        return
    if len(triggers) > MAX_TRIGGERS:
        errors.add("triggers", f"at most {MAX_TRIGGERS} triggers (got {len(triggers)})")
    for index, trigger in enumerate(triggers):
        path = f"triggers[{index}]"
        if not isinstance(trigger, dict):
            errors.add(path, "must be an object with event, params and filter")
            continue
        for key in sorted(set(trigger) - {"event", "params", "filter"}):
            errors.add(f"{path}.{key}", "unknown key; use event, params and filter")
        _check_event_filter(trigger, path, errors)


def _check_exit_conditions(exits, errors):
    if not isinstance(exits, list):
        errors.add("exit_conditions", "must be a list")
        return
    if len(exits) > MAX_EXIT_CONDITIONS:
        errors.add("exit_conditions", f"at most {MAX_EXIT_CONDITIONS} exit conditions (got {len(exits)})")
    for index, item in enumerate(exits):
        path = f"exit_conditions[{index}]"
        if not isinstance(item, dict):
            errors.add(path, "must be an object with event, params, filter and outcome")
            continue
        for key in sorted(set(item) - {"event", "params", "filter", "outcome"}):
            errors.add(f"{path}.{key}", "unknown key; use event, params, filter and outcome")
        _check_event_filter(item, path, errors)
        _check_choice(item, "outcome", ExitCondition.OUTCOME, errors, path=f"{path}.outcome")


def _check_steps(steps, errors):
    if not isinstance(steps, list):
        errors.add("steps", "must be a list")
        return
    seen_ids = {}
    count = _check_step_list(steps, "steps", 0, seen_ids, errors)
    if count > MAX_STEPS:
        errors.add("steps", f"at most {MAX_STEPS} steps in all (got {count})")


def _check_step_list(steps, path, depth, seen_ids, errors):
    count = 0
    previous_type = None
    for index, step in enumerate(steps):
        step_path = f"{path}[{index}]"
        if not isinstance(step, dict):
            errors.add(step_path, "must be an object with id, type and its settings")
            previous_type = None
            continue
        count += 1
        step_type = step.get("type")
        if not isinstance(step_type, str) or step_type not in STEP_KEYS:
            errors.add(f"{step_path}.type", f"must be action, wait or branch (got {step_type!r})")
            previous_type = None
            continue
        for key in sorted(set(step) - STEP_KEYS[step_type]):
            errors.add(f"{step_path}.{key}", f"unknown key for a {step_type} step")
        _check_step_id(step, step_path, seen_ids, errors)
        if step_type == "wait" and previous_type == "wait":
            errors.add(step_path, "two waits may not follow each other directly; merge them into one wait")
        previous_type = step_type
        if step_type in ("action", "wait"):
            if not isinstance(step.get(step_type), str) or not step.get(step_type):
                errors.add(f"{step_path}.{step_type}", f"name the {step_type}, e.g. "
                           + ("tag.add" if step_type == "action" else "duration"))
            elif len(step[step_type]) > MAX_KEY_LENGTH:
                errors.add(f"{step_path}.{step_type}", f"a {step_type} key has at most {MAX_KEY_LENGTH} characters")
            if not isinstance(step.get("params", {}), dict):
                errors.add(f"{step_path}.params", "must be an object")
            continue
        if not isinstance(step.get("condition"), dict) or not step.get("condition"):
            errors.add(f"{step_path}.condition", "a branch needs at least one condition")
        if depth + 1 > MAX_BRANCH_DEPTH:
            errors.add(step_path, f"branches may be nested at most {MAX_BRANCH_DEPTH} deep")
            continue
        for side in ("yes", "no"):
            children = step.get(side, [])
            if not isinstance(children, list):
                errors.add(f"{step_path}.{side}", "must be a list of steps")
                continue
            count += _check_step_list(children, f"{step_path}.{side}", depth + 1, seen_ids, errors)
    return count


def _check_step_id(step, path, seen_ids, errors):
    step_id = step.get("id")
    if step_id is None:
        return
    if not isinstance(step_id, str) or not step_id or len(step_id) > MAX_STEP_ID_LENGTH:
        errors.add(f"{path}.id", f"a step id is text of 1 to {MAX_STEP_ID_LENGTH} characters")
    elif step_id in seen_ids:
        errors.add(f"{path}.id", f"{step_id!r} is already the id of {seen_ids[step_id]}; step ids must be unique")
    else:
        seen_ids[step_id] = path
