"""Validation against the catalogue (SPEC §6), on top of the structural document checks.

Runs on import and before an automation becomes ``active`` or ``testing``. Every error names its
JSON path and says what to change; nothing is saved while any error remains.

Validation is total: for any value at all it returns errors, never raises. ``json_values`` first
makes sure the document is storable JSON of bounded depth and size; every check after it still
assumes nothing about the type of a value it has not checked itself.
"""
import logging

from ..models import Step
from .document_checks import check_course_key, check_document
from .json_values import json_value_errors
from .scope_checks import effect_errors
from .templates import template_errors

log = logging.getLogger(__name__)
MAX_TRIGGER_CONDITIONS = 10
MAX_EXIT_CONDITIONS_PER_EXIT = 20


def validate_document(document, *, automation_id=None, actor=None):
    """Every error of a v1 document: JSON first, structure next, then catalogue keys, params and templates."""
    errors = json_value_errors(document) or check_document(document)
    if errors:
        return list(errors)
    from ..catalogue import get_actions, get_event_type, get_waits  # pylint: disable=import-outside-toplevel

    found = []
    for index, trigger in enumerate(document["triggers"]):
        _check_event_and_filter(trigger, f"triggers[{index}]", MAX_TRIGGER_CONDITIONS, get_event_type, found)
    for index, exit_condition in enumerate(document.get("exit_conditions", [])):
        _check_event_and_filter(exit_condition, f"exit_conditions[{index}]", MAX_EXIT_CONDITIONS_PER_EXIT,
                                get_event_type, found)
    catalogues = {"action": get_actions(), "wait": get_waits()}
    for path, step in _walk_steps(document.get("steps", []), "steps"):
        if step["type"] == "branch":
            _check_condition_tree(step["condition"], f"{path}.condition", found)
            continue
        entry = catalogues[step["type"]].get(step[step["type"]])
        if entry is None:
            known = ", ".join(sorted(catalogues[step["type"]])) or "none installed"
            found.append({"path": f"{path}.{step['type']}",
                          "message": f"unknown {step['type']} {step[step['type']]!r}; known: {known}"})
            continue
        params = step.get("params", {})
        found.extend(_prefixed(path, _params_errors(entry, params)))
        found.extend(_prefixed(path, _template_errors(params)))
        _check_course_params(params, f"{path}.params", found)
        if step["type"] == "wait" and step["wait"] == "event":
            _check_awaited_event(params, f"{path}.params", get_event_type, found)
    found.extend(_automation_start_cycles(document, automation_id))
    found.extend(effect_errors(document, actor, automation_id))  # SPEC §5.16: who saves it may affect this
    return found


def _walk_steps(steps, path):
    for index, step in enumerate(steps):
        step_path = f"{path}[{index}]"
        yield step_path, step
        for side in ("yes", "no"):
            yield from _walk_steps(step.get(side, []), f"{step_path}.{side}")


def _prefixed(path, errors):
    return [{"path": f"{path}.{error['path']}" if error["path"] else path, "message": error["message"]}
            for error in errors]


def _check_event_and_filter(item, path, max_conditions, get_event_type, found):
    event_type = get_event_type(item["event"])
    if event_type is None:
        found.append({"path": f"{path}.event", "message": f"unknown event type {item['event']!r}; pick one from "
                      "the catalogue or declare it as a custom event type (custom.<slug>)"})
    else:
        if item.get("params"):
            # What the course team chose for this event (the days of activity.inactive, ...).
            found.extend(_prefixed(path, _params_errors(event_type, item["params"])))
        found.extend(_threshold_errors(event_type, item, path))
    tree = item.get("filter")
    if tree:
        count = _check_condition_tree(tree, f"{path}.filter", found)
        if count > max_conditions:
            found.append({"path": f"{path}.filter",
                          "message": f"at most {max_conditions} conditions here (got {count}); split the automation"})


def _threshold_errors(event_type, item, path):
    """A threshold event that names no threshold hears the operator's defaults: none at all when the
    site has none (ADR 0015), which staff must hear now rather than wait for a run that never starts."""
    from ..catalogue import thresholds  # pylint: disable=import-outside-toplevel

    param = getattr(event_type, "threshold_param", None)
    if not param or not isinstance(item.get("params") or {}, dict) or thresholds.defaults(event_type):
        return []
    if thresholds.named_by_row(event_type, item.get("params"), item.get("filter")):
        return []
    return [{"path": f"{path}.params.{param}",
             "message": f"choose the {param}: this site computes no default ones "
                        f"(LMS_AUTOMATIONS['{event_type.thresholds_setting}'] is empty)"}]


def _check_awaited_event(params, path, get_event_type, found):
    # The wait's params schema reports an event or filter of the wrong type; only check what has the right one.
    event = params.get("event")
    if isinstance(event, str) and event and get_event_type(event) is None:
        found.append({"path": f"{path}.event", "message": f"unknown event type {event!r}"})
    if isinstance(params.get("filter"), dict) and params["filter"]:
        _check_condition_tree(params["filter"], f"{path}.filter", found)


GROUP_KEYS = ("all", "any", "not")


def _check_condition_tree(node, path, found):
    """Add the errors of a condition tree to ``found``; returns how many conditions (leaves) it has."""
    from ..catalogue import get_conditions  # pylint: disable=import-outside-toplevel

    if not isinstance(node, dict) or not node:
        found.append({"path": path, "message": 'a condition is {"condition": key, "params": {...}} or an '
                      'all / any / not group'})
        return 0
    group = next((key for key in GROUP_KEYS if key in node), None)
    if group is not None:
        extra = sorted(set(node) - {group})
        if extra:
            found.append({"path": path, "message": f"a '{group}' group has only its '{group}' key; move or remove "
                          f"{', '.join(extra)}"})
        if group == "not":
            return _check_condition_tree(node["not"], f"{path}.not", found)
        children = node[group]
        if not isinstance(children, list) or not children:
            found.append({"path": f"{path}.{group}", "message": f"'{group}' needs a non-empty list of conditions"})
            return 0
        return sum(_check_condition_tree(child, f"{path}.{group}[{index}]", found)
                   for index, child in enumerate(children))
    unknown_keys = set(node) - {"condition", "params"}
    if unknown_keys:
        found.append({"path": path, "message": f"unknown key(s) {', '.join(sorted(unknown_keys))} in a condition"})
    key = node.get("condition")
    condition = get_conditions().get(key) if isinstance(key, str) else None
    if condition is None:
        known = ", ".join(sorted(get_conditions())) or "none installed"
        found.append({"path": f"{path}.condition", "message": f"unknown condition {key!r}; known: {known}"})
        return 1
    params = node.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        found.append({"path": f"{path}.params", "message": "must be an object of the condition's params"})
        return 1
    found.extend(_prefixed(path, _params_errors(condition, params)))
    found.extend(_prefixed(path, _template_errors(params)))
    _check_course_params(params, f"{path}.params", found)
    try:
        from .ops import op_errors  # pylint: disable=import-outside-toplevel
    except ImportError:  # the comparison ops arrive with the built-in conditions
        return
    if "op" in params:
        found.extend({"path": f"{path}.params.value", "message": message}
                     for message in op_errors(params["op"], params.get("value")))
    return 1


def _params_errors(entry, params):
    """The entry's own check of its params. Entries may come from other packages (SPEC §9): one that
    raises on a value it did not expect must not turn a refusal into a crash."""
    try:
        return entry.check_params(params)
    except Exception:  # pylint: disable=broad-except
        log.exception("check_params of catalogue entry %r raised", entry.key)
        return [{"path": "params", "message": f"{entry.key} could not check these params; compare them with its "
                 "documented params"}]


def _template_errors(params):
    try:
        return template_errors(params)
    except RecursionError:
        # Django's template parser recurses once per nested block tag; a template may not nest that deep.
        return [{"path": "params", "message": "a template nests its tags too deeply; simplify it"}]


def _check_course_params(params, path, found):
    from .document_checks import ErrorList  # pylint: disable=import-outside-toplevel

    errors = ErrorList()
    if isinstance(params.get("course_key"), str):
        check_course_key(params["course_key"], f"{path}.course_key", errors)
    found.extend(errors)


def _automation_start_cycles(document, automation_id):
    """``automation.start`` steps must not lead back to this automation (directly or through others).

    Without an id (a new automation) there is nothing to lead back to yet; ``load_document`` asks again
    once the new row has its id, because a document may name the id the automation is about to get.
    """
    return automation_start_cycles(document, automation_id) if automation_id is not None else []


def automation_start_cycles(document, automation_id):
    """The cycle errors of a well-formed ``document`` saved as automation ``automation_id``."""
    targets = sorted(
        (path, step.get("params", {}).get("automation_id"))
        for path, step in _walk_steps(document.get("steps", []), "steps")
        if step["type"] == "action" and step.get("action") == "automation.start"
        and isinstance(step.get("params", {}).get("automation_id"), (int, str))
    )
    if not targets:
        return []
    graph = {}
    for owner_id, params in Step.objects.filter(kind="automation.start", step_type="action").values_list(
            "automation_id", "params"):
        if owner_id != automation_id:
            graph.setdefault(owner_id, set()).add(_as_int(params.get("automation_id")) if isinstance(params, dict)
                                                  else None)
    errors = []
    for path, target in targets:
        target = _as_int(target)
        if target == automation_id:
            errors.append({"path": f"{path}.params.automation_id",
                           "message": "an automation cannot start itself; that would loop forever"})
        elif _reaches(graph, target, automation_id):
            errors.append({"path": f"{path}.params.automation_id",
                           "message": f"automation {target} leads back to this one through automation.start; "
                                      "that would loop forever"})
    return errors


def _reaches(graph, start, goal):
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return False


def _as_int(value):
    """The automation id ``value`` names (as ``rendered_automation_id`` reads it), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None
