"""The catalogue and format reference, written from the registry so that it cannot drift.

    python manage.py automations_reference docs/reference     # what the repository ships
    render_reference()["actions.md"]                           # one page, as Markdown text

Every key, label, description, param (type, limits, allowed values) and payload field comes from
the installed entries, third-party ones included: an operator who adds a package and runs the
command gets a reference of *their* catalogue. The test suite checks that the committed pages
equal what the built-in catalogue produces.
"""
from . import get_actions, get_conditions, get_event_types, get_waits

KIND_PAGES = (
    ("events.md", "Event types", get_event_types,
     "What can start a run (a trigger), end one (an exit condition) or resume one (an `event` wait). "
     "Every event carries `user_id` besides the payload fields listed; a trigger's `event.field` filter "
     "reads them by name. The params of an event type are what its trigger (or exit condition) chooses, "
     "e.g. `{\"event\": \"activity.inactive\", \"params\": {\"days\": 10}}`: the plugin computes the "
     "thresholds automations ask for, plus the operator's defaults."),
    ("conditions.md", "Conditions", get_conditions,
     "Checks evaluated when a learner reaches them (a trigger filter, a branch, an exit condition), never "
     "earlier. Group them with `all`, `any` and `not`."),
    ("actions.md", "Actions", get_actions,
     "What a step does to or for the learner. Params may use templates such as `{{ learner.first_name }}` "
     "or `{{ event.course_key }}`."),
    ("waits.md", "Waits", get_waits,
     "How long a learner stays at a step before going on."),
)

_TYPE_NAMES = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true/false",
               "array": "list", "object": "object", "null": "null"}


def render_reference(*, builtin_only=False):
    """``{file name: Markdown text}`` for every page of the reference; ``builtin_only`` leaves out
    entries of other packages (the repository's own pages list what the plugin ships)."""
    pages = {name: _kind_page(title, _entries(loader(), builtin_only), intro)
             for name, title, loader, intro in KIND_PAGES}
    pages["operators.md"] = _operators_page()
    pages["README.md"] = _index_page()
    return pages


def _entries(entries, builtin_only):
    if not builtin_only:
        return entries
    return {key: entry for key, entry in entries.items() if entry.__module__.startswith("lms_automations.")}


def _index_page():
    lines = [
        "# Reference",
        "",
        "Generated from the installed catalogue by `python manage.py automations_reference docs/reference`;",
        "do not edit by hand.",
        "",
        "- [Event types](events.md): what starts, ends or resumes a run, with payload fields.",
        "- [Conditions](conditions.md): checks on the learner, the course and the event.",
        "- [Comparison operators](operators.md): the `op` of compared conditions and filters.",
        "- [Actions](actions.md): what a step does.",
        "- [Waits](waits.md): how long a learner stays at a step.",
        "",
        "The automation document (format `lms-automations/v1`) is described in",
        "[the format guide](../automation-format.md).",
        "",
    ]
    return "\n".join(lines)


def _kind_page(title, entries, intro):
    lines = [f"# {title}", "", intro, "", "Generated from the catalogue; do not edit by hand.", ""]
    by_category = {}
    for key in sorted(entries):
        by_category.setdefault(entries[key].category or "Other", []).append(entries[key])
    for category in sorted(by_category):
        lines += [f"## {category}", ""]
        for entry in by_category[category]:
            lines += _entry_section(entry)
    return "\n".join(lines).rstrip() + "\n"


def _entry_section(entry):
    lines = [f"### `{entry.key}` — {entry.label}", "", entry.description.strip() or "(no description)", ""]
    payload = getattr(entry, "payload_fields", None)
    if payload is not None:
        if payload:
            lines += ["| payload field | meaning |", "|---|---|"]
            lines += [f"| `{name}` | {_cell(text)} |" for name, text in payload.items()]
        else:
            lines.append("Payload: `user_id` only.")
        lines.append("")
    rows = param_rows(entry.params_schema)
    if rows:
        lines += ["| param | type | required | allowed values and limits |", "|---|---|---|---|"]
        lines += [f"| `{row['name']}` | {row['type']} | {'yes' if row['required'] else 'no'} | {_cell(row['limits'])} |"
                  for row in rows]
    elif payload is None:
        lines.append("Takes no params.")
    lines.append("")
    return lines


def param_rows(schema):
    """One row per param of a params schema: name, type, whether required, limits in words."""
    properties = (schema or {}).get("properties") or {}
    required = set((schema or {}).get("required") or ())
    return [{"name": name, "type": describe_type(spec), "required": name in required, "limits": describe_limits(spec)}
            for name, spec in properties.items()]


def describe_type(spec):
    """A schema's type in words, e.g. ``whole number`` or ``list of text``."""
    if not isinstance(spec, dict):
        return "any"
    if "anyOf" in spec or "oneOf" in spec:
        kinds = []
        for option in spec.get("anyOf") or spec.get("oneOf"):
            kind = describe_type(option)
            if kind not in kinds:
                kinds.append(kind)
        return " or ".join(kinds)
    kind = spec.get("type")
    if isinstance(kind, list):
        return " or ".join(_TYPE_NAMES.get(item, item) for item in kind)
    if kind == "array":
        return f"list of {describe_type(spec.get('items') or {})}"
    if kind is None:
        return "text" if "enum" in spec and all(isinstance(item, str) for item in spec["enum"]) else "any"
    return _TYPE_NAMES.get(kind, kind)


def describe_limits(spec):
    """Allowed values and limits of one param, in words (description first)."""
    if not isinstance(spec, dict):
        return ""
    parts = []
    if spec.get("description"):
        parts.append(spec["description"])
    if "enum" in spec:
        parts.append("one of " + ", ".join(f"`{value}`" for value in spec["enum"]))
    for keyword, words in (("minimum", "at least"), ("maximum", "at most"), ("exclusiveMinimum", "more than"),
                           ("exclusiveMaximum", "less than")):
        if keyword in spec:
            parts.append(f"{words} {spec[keyword]}")
    if spec.get("minLength", 0) > 1:
        parts.append(f"at least {spec['minLength']} characters")
    if "maxLength" in spec:
        parts.append(f"at most {spec['maxLength']} characters")
    if "minItems" in spec:
        parts.append(f"at least {spec['minItems']} item(s)")
    if "maxItems" in spec:
        parts.append(f"at most {spec['maxItems']} item(s)")
    if isinstance(spec.get("items"), dict):
        inner = describe_limits({key: value for key, value in spec["items"].items() if key != "description"})
        if inner:
            parts.append(f"each item: {inner}")
    return "; ".join(parts)


def _operators_page():
    from ..engine.ops import MAX_PATTERN, NUMERIC_OPS, OPS, VALUELESS_OPS  # pylint: disable=import-outside-toplevel

    meanings = {
        "eq": "equal (numbers compare as numbers, text as text)",
        "ne": "not equal",
        "gt": "greater than", "gte": "greater than or equal", "lt": "less than", "lte": "less than or equal",
        "in": "one of a list of values", "not_in": "none of a list of values",
        "contains": "text contains the value, or a list contains the item",
        "not_contains": "does not contain",
        "starts_with": "text starts with the value", "ends_with": "text ends with the value",
        "regex": f"matches a regular expression (at most {MAX_PATTERN} characters, run with a time limit)",
        "is_set": "has a value (takes no `value`)", "is_not_set": "has no value (takes no `value`)",
        "before": "a date/time before the value", "after": "a date/time after the value",
        "within_last": "a date/time within the last ISO-8601 duration (e.g. `P7D`)",
    }
    lines = ["# Comparison operators", "",
             "The `op` of `event.field`, `learner.field` and the other compared conditions. Percent values",
             "are 0–100. Generated from the engine; do not edit by hand.", "",
             "| op | true when the observed value is … | numeric conditions | needs `value` |", "|---|---|---|---|"]
    for op in OPS:
        lines.append(f"| `{op}` | {meanings.get(op, '')} | {'yes' if op in NUMERIC_OPS else 'no'} | "
                     f"{'no' if op in VALUELESS_OPS else 'yes'} |")
    return "\n".join(lines) + "\n"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")
