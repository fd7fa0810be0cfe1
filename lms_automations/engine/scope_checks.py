"""An automation's effects stay inside its scope (SPEC §5.16, ADR 0008), checked at validation.

For a user who is not platform staff, every param of a step or condition that names a course must
be a course of the automation's scope that is theirs, and every param that names an automation must
be one they may change. ``{{ event.course_key }}`` (or ``{{ course.course_key }}``) is allowed: the
event is in scope by the matching rule. Any other template is refused there, since it could render
any course or automation. Which params name courses or automations a catalogue entry declares
(``course_params``, ``automation_params``); by default those called ``course_key`` / ``course_keys``
and ``automation_id``.

``validate_document`` calls ``effect_errors`` once; admin formsets call ``step_errors`` /
``tree_errors`` on what staff typed, before anything is saved.
"""
import re

from django.utils.translation import gettext as _

from .. import authority
from ..authority import Scope

DEFAULT_COURSE_PARAMS = ("course_key", "course_keys")
DEFAULT_AUTOMATION_PARAMS = ("automation_id",)
#: The only templates a course team may put where a course is named: the event's own course.
IN_SCOPE_COURSE_TEMPLATE = re.compile(r"^\s*\{\{\s*(event|course)\.course_key\s*\}\}\s*$")


def effect_errors(document, actor, automation_id=None):
    """Every way ``document`` (structurally valid) reaches outside what ``actor`` may affect.

    ``actor`` None is the operator (Python API, management commands): nothing to check.
    """
    if actor is None or authority.is_platform_staff(actor):
        return []
    from ..models import Automation  # pylint: disable=import-outside-toplevel

    existing = Automation.objects.filter(pk=automation_id).first() if automation_id else None
    if existing is not None and not authority.may_change(actor, existing):
        return [{"path": "scope", "message": _(
            "you may change only automations scoped to your own courses (or to an organisation where you "
            "hold an organisation-wide role); ask a member of the platform staff to change this one")}]
    raw_scope = document.get("scope") or {}
    scope = Scope(tuple(raw_scope.get("courses") or ()), tuple(raw_scope.get("orgs") or ()))
    errors = []
    refusal = authority.scope_refusal(actor, list(scope.courses), list(scope.orgs))
    if refusal:
        errors.append({"path": "scope", "message": refusal})
    for index, trigger in enumerate(document.get("triggers") or []):
        errors.extend(tree_errors(trigger.get("filter"), f"triggers[{index}].filter", scope, actor))
    for index, exit_condition in enumerate(document.get("exit_conditions") or []):
        errors.extend(tree_errors(exit_condition.get("filter"), f"exit_conditions[{index}].filter", scope, actor))
    for path, step in _walk_steps(document.get("steps") or [], "steps"):
        step_type = step.get("type")
        errors.extend(step_errors(step_type, step.get(step_type) if step_type != "branch" else "",
                                  step.get("params"), step.get("condition"), path, scope, actor))
    return errors


def step_errors(step_type, kind, params, condition, path, scope, actor):
    """The errors of one step: its params (an action or a wait, an event wait's filter) or its
    condition (a branch)."""
    from ..catalogue import get_actions, get_waits  # pylint: disable=import-outside-toplevel

    if authority.is_platform_staff(actor):
        return []
    if step_type == "branch":
        return tree_errors(condition, _join(path, "condition"), scope, actor)
    entry = {"action": get_actions, "wait": get_waits}.get(step_type, dict)().get(kind)
    if not isinstance(params, dict):
        return []
    errors = params_errors(entry, params, _join(path, "params"), scope, actor)
    if step_type == "wait" and isinstance(params.get("filter"), dict):
        errors.extend(tree_errors(params["filter"], _join(path, "params.filter"), scope, actor))
    return errors


def tree_errors(tree, path, scope, actor):
    """The errors of every condition in a condition tree (``all`` / ``any`` / ``not`` groups)."""
    from ..catalogue import get_conditions  # pylint: disable=import-outside-toplevel

    if not tree or authority.is_platform_staff(actor):
        return []
    conditions = get_conditions()
    errors, pending = [], [(tree, path)]
    while pending:  # iterative: a deep tree must not exhaust the stack
        node, node_path = pending.pop()
        if not isinstance(node, dict):
            continue
        for group in ("all", "any"):
            if isinstance(node.get(group), list):
                pending.extend((child, f"{node_path}.{group}[{index}]") for index, child in enumerate(node[group]))
        if "not" in node:
            pending.append((node["not"], f"{node_path}.not"))
        if "condition" in node and isinstance(node.get("params"), dict):
            entry = conditions.get(node["condition"]) if isinstance(node["condition"], str) else None
            errors.extend(params_errors(entry, node["params"], f"{node_path}.params", scope, actor))
    return sorted(errors, key=lambda error: error["path"])


def params_errors(entry, params, path, scope, actor):
    """The errors of one entry's params: courses outside the scope, automations the actor may not change."""
    errors = []
    for name in _named(entry, "course_params", DEFAULT_COURSE_PARAMS, params):
        value = params[name]
        items = [(f"{path}.{name}", value)] if not isinstance(value, list) else \
            [(f"{path}.{name}[{index}]", item) for index, item in enumerate(value)]
        for item_path, course_key in items:
            message = _course_refusal(course_key, scope, actor)
            if message:
                errors.append({"path": item_path, "message": message})
    for name in _named(entry, "automation_params", DEFAULT_AUTOMATION_PARAMS, params):
        message = _automation_refusal(params[name], actor)
        if message:
            errors.append({"path": f"{path}.{name}", "message": message})
    return errors


def _named(entry, attribute, default, params):
    declared = getattr(entry, attribute, None)
    names = tuple(declared) if declared is not None else default
    return [name for name in names if name in params]


def _course_refusal(course_key, scope, actor):
    if not isinstance(course_key, str) or not course_key.strip():
        return None  # the params schema reports it
    if "{{" in course_key or "{%" in course_key:
        if IN_SCOPE_COURSE_TEMPLATE.match(course_key):
            return None
        return _("a course team may name a course here only as a course key of the automation's scope or "
                 "as {{ event.course_key }}; another template could name any course")
    if authority.may_name_course(actor, scope, course_key.strip()):
        return None
    theirs = ", ".join(key for key in scope.courses if authority.may_name_course(actor, scope, key))
    return _("%(course)s is not a course of this automation's scope: name one of its courses (%(theirs)s) or "
             "{{ event.course_key }}, or add the course to the scope if you are on its course team") % {
        "course": course_key.strip(), "theirs": theirs or _("none yet")}


def _automation_refusal(value, actor):
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return _("name the automation by its id: a template could name an automation you may not change")
    try:
        automation_id = int(str(value).strip())
    except (TypeError, ValueError):
        return None  # the params schema reports it
    if automation_id < 1 or authority.may_name_automation(actor, automation_id):
        return None
    return _("automation %(id)s is not one you may change: name an automation of your own courses") % {
        "id": automation_id}


def _join(path, name):
    return f"{path}.{name}" if path else name


def _walk_steps(steps, path):
    pending = [(steps, path)]
    while pending:
        items, items_path = pending.pop(0)
        if not isinstance(items, list):
            continue
        for index, step in enumerate(items):
            if not isinstance(step, dict):
                continue
            step_path = f"{items_path}[{index}]"
            yield step_path, step
            for side in ("yes", "no"):
                pending.append((step.get(side), f"{step_path}.{side}"))
