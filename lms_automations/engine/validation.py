"""Validation against the catalogue (SPEC §6), on top of the structural document checks.

Runs on import and before an automation becomes ``active`` or ``testing``. Every error names its
JSON path and says what to change; nothing is saved while any error remains.
"""
from ..models import Step
from .conditions import condition_keys
from .document_checks import check_course_key, check_document
from .scope_checks import effect_errors
from .templates import template_errors

MAX_TRIGGER_CONDITIONS = 10
MAX_EXIT_CONDITIONS_PER_EXIT = 20


def validate_document(document, *, automation_id=None, actor=None):
    """Every error of a v1 document: structure first, then catalogue keys, params and templates."""
    errors = check_document(document)
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
        found.extend(_prefixed(path, entry.check_params(params)))
        found.extend(_prefixed(path, template_errors(params)))
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
    if get_event_type(item["event"]) is None:
        found.append({"path": f"{path}.event", "message": f"unknown event type {item['event']!r}; pick one from "
                      "the catalogue or declare it as a custom event type (custom.<slug>)"})
    tree = item.get("filter")
    if tree:
        count = len(condition_keys(tree))
        if count > max_conditions:
            found.append({"path": f"{path}.filter",
                          "message": f"at most {max_conditions} conditions here (got {count}); split the automation"})
        _check_condition_tree(tree, f"{path}.filter", found)


def _check_awaited_event(params, path, get_event_type, found):
    if params.get("event") and get_event_type(params["event"]) is None:
        found.append({"path": f"{path}.event", "message": f"unknown event type {params['event']!r}"})
    if params.get("filter"):
        _check_condition_tree(params["filter"], f"{path}.filter", found)


def _check_condition_tree(node, path, found):
    from ..catalogue import get_conditions  # pylint: disable=import-outside-toplevel

    if not isinstance(node, dict) or not node:
        found.append({"path": path, "message": 'a condition is {"condition": key, "params": {...}} or an '
                      'all / any / not group'})
        return
    for group in ("all", "any"):
        if group in node:
            children = node[group]
            if not isinstance(children, list) or not children:
                found.append({"path": f"{path}.{group}", "message": f"'{group}' needs a non-empty list of conditions"})
                return
            for index, child in enumerate(children):
                _check_condition_tree(child, f"{path}.{group}[{index}]", found)
            return
    if "not" in node:
        _check_condition_tree(node["not"], f"{path}.not", found)
        return
    unknown_keys = set(node) - {"condition", "params"}
    if unknown_keys:
        found.append({"path": path, "message": f"unknown key(s) {', '.join(sorted(unknown_keys))} in a condition"})
    condition = get_conditions().get(node.get("condition"))
    if condition is None:
        known = ", ".join(sorted(get_conditions())) or "none installed"
        found.append({"path": f"{path}.condition", "message": f"unknown condition {node.get('condition')!r}; "
                      f"known: {known}"})
        return
    params = node.get("params") or {}
    found.extend(_prefixed(path, condition.check_params(params)))
    found.extend(_prefixed(path, template_errors(params)))
    _check_course_params(params, f"{path}.params", found)
    try:
        from .ops import op_errors  # pylint: disable=import-outside-toplevel
    except ImportError:  # the comparison ops arrive with the built-in conditions
        return
    if "op" in params:
        found.extend({"path": f"{path}.params.value", "message": message}
                     for message in op_errors(params["op"], params.get("value")))


def _check_course_params(params, path, found):
    from .document_checks import ErrorList  # pylint: disable=import-outside-toplevel

    errors = ErrorList()
    if isinstance(params.get("course_key"), str):
        check_course_key(params["course_key"], f"{path}.course_key", errors)
    found.extend(errors)


def _automation_start_cycles(document, automation_id):
    """``automation.start`` steps must not lead back to this automation (directly or through others)."""
    targets = {
        (path, step.get("params", {}).get("automation_id"))
        for path, step in _walk_steps(document.get("steps", []), "steps")
        if step["type"] == "action" and step.get("action") == "automation.start"
    }
    if not targets:
        return []
    graph = {}
    for owner_id, params in Step.objects.filter(kind="automation.start", step_type="action").values_list(
            "automation_id", "params"):
        if owner_id != automation_id:
            graph.setdefault(owner_id, set()).add(_as_int((params or {}).get("automation_id")))
    errors = []
    for path, target in sorted(targets, key=lambda item: item[0]):
        target = _as_int(target)
        if automation_id is not None and target == automation_id:
            errors.append({"path": f"{path}.params.automation_id",
                           "message": "an automation cannot start itself; that would loop forever"})
        elif automation_id is not None and _reaches(graph, target, automation_id):
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
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
