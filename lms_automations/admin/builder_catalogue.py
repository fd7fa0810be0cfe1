"""The catalogue as the builder reads it: every entry with the form fields its params schema asks for.

The builder draws a form for any entry from ``fields`` — built-in and third-party alike — so a
package that adds a condition, an action or a wait gets a form without any code of its own. Each
field names a ``widget`` inferred from the schema (enum → select, integer → number, an ISO-8601
duration pattern → number + unit, ...) and from a few param names the catalogue shares
(``course_key`` → the course picker, ``block_keys`` → the outline picker, ``tags`` → tag names).
"""
import zoneinfo
from functools import cache

from django.utils.translation import gettext as _

from ..catalogue import get_actions, get_conditions, get_custom_event_types, get_event_types, get_waits
from ..engine.ops import NUMERIC_OPS, OPS, VALUELESS_OPS

#: Param names whose values come from the learner data that exists (autocomplete, free text allowed).
NAME_SUGGESTIONS = {"tag": "tag", "tags": "tag", "list": "list", "field": "field"}
#: Param names picked from the course outline.
OUTLINE_PICKERS = {"block_keys": "blocks", "lesson_keys": "lessons"}
MODES = ["audit", "honor", "verified", "professional", "no-id-professional", "masters", "credit"]
DURATION_PATTERN_END = "(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$"


def widget_for(name, spec):
    """The widget that edits one param: a short name the builder's form code switches on."""
    pattern = spec.get("pattern", "")
    kind = spec.get("type")
    special = {"course_key": "course", "event": "event_type", "filter": "condition", "timezone": "timezone",
               "body_html": "html", "op": "op", "path": "payload_field"}
    if name in special:
        return special[name]
    if name in OUTLINE_PICKERS:
        return OUTLINE_PICKERS[name]
    if pattern.endswith(DURATION_PATTERN_END):
        return "signed_duration" if pattern.startswith("^[-+]?") else "duration"
    if name == "time":
        return "time"
    if name == "at":
        return "datetime"
    if "enum" in spec:
        return "select"
    if kind == "array":
        return "multi_select" if "enum" in (spec.get("items") or {}) else "string_list"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "object":
        return "json"
    if name in ("body_text", "body"):
        return "textarea"
    if name == "value" and kind is None:
        return "value"
    return "text"


def field_labels():
    """Labels of the param names the catalogue shares; any other name is shown as it is, humanised."""
    return {
        "course_key": _("Course"), "op": _("Comparison"), "value": _("Value"), "path": _("Event field"),
        "field": _("Learner field"), "tag": _("Tag"), "tags": _("Tags"), "list": _("List"),
        "block_keys": _("Blocks"), "lesson_keys": _("Lessons"), "event": _("Event"), "filter": _("Only if"),
        "within": _("Within"), "timezone": _("Time zone"), "subject": _("Subject"),
        "body_html": _("Body (HTML)"), "body_text": _("Plain-text part"), "from_email": _("From"),
        "reply_to": _("Reply to"), "category": _("Category"), "track": _("Track opens and clicks"),
        "days": _("Days"), "mode": _("Mode"), "modes": _("Modes"), "cohort": _("Cohort"), "at": _("At"),
        "time": _("Time"), "if_past": _("If that moment has passed"), "offset": _("Offset"),
        "timeout": _("Give up after"), "on_timeout": _("Then"), "automation_id": _("Automation id"),
        "amount": _("Amount"), "reason": _("Reason"), "url": _("URL"), "method": _("Method"),
        "headers": _("Headers"), "body": _("Body"), "secret": _("Signing secret"), "weekdays": _("Weekdays"),
        "anchor": _("Course date"), "unit": _("Unit"), "match": _("Match"), "statuses": _("Statuses"),
        "active": _("Active enrolment"), "state": _("State"), "what": _("What"), "step_id": _("Step id"),
        "to": _("To"), "notification_type": _("Notification type"), "context": _("Context"),
        "force": _("Force"), "allowlist": _("Allowlist"),
    }


def fields_of(schema):
    """``[{name, widget, required, description, enum, ...}]`` for every property of a params schema."""
    required = set(schema.get("required") or ())
    labels = field_labels()
    fields = []
    for name, spec in (schema.get("properties") or {}).items():
        field = {"name": name, "label": labels.get(name) or name.replace("_", " ").capitalize(),
                 "widget": widget_for(name, spec), "required": name in required,
                 "description": spec.get("description", ""), "type": spec.get("type")}
        for key in ("enum", "minimum", "maximum", "default"):
            if key in spec:
                field[key] = spec[key]
        if "items" in spec and "enum" in spec["items"]:
            field["enum"] = spec["items"]["enum"]
        if name in NAME_SUGGESTIONS:
            field["suggest"] = NAME_SUGGESTIONS[name]
        elif name in ("mode", "modes"):
            field["suggestions"] = MODES
        fields.append(field)
    if set(schema.get("properties") or ()) == {"days", "hours", "minutes"}:
        # The duration wait: one number and its unit rather than three boxes.
        fields = [{"name": "days|hours|minutes", "label": _("Wait for"), "widget": "duration_parts", "required": True,
                   "description": schema.get("description", "")}]
    return fields


def _entry(entry_class, **extra):
    described = entry_class.describe()
    return {"key": described["key"], "label": str(described["label"]), "category": str(described["category"]),
            "description": str(described["description"]), "schema": described["params_schema"],
            "fields": fields_of(described["params_schema"]), **extra}


def _sorted(entries):
    return sorted(entries, key=lambda entry: (entry["category"].casefold(), entry["label"].casefold()))


def catalogue_data():
    """Everything the builder's forms offer: entries, comparison ops, time zones, template variables."""
    events = [*get_event_types().values(), *get_custom_event_types().values()]
    return {
        "events": _sorted(_entry(entry, payload_fields=dict(entry.payload_fields)) for entry in events),
        "conditions": _sorted(_entry(entry) for entry in get_conditions().values()),
        "actions": _sorted(_entry(entry) for entry in get_actions().values()),
        "waits": _sorted(_entry(entry) for entry in get_waits().values()),
        "ops": [{"key": op, "label": label} for op, label in op_labels().items()],
        "numeric_ops": list(NUMERIC_OPS),
        "valueless_ops": list(VALUELESS_OPS),
        "timezones": time_zones(),
        "variables": template_variables(),
    }


def op_labels():
    labels = {
        "eq": _("is"), "ne": _("is not"), "gt": _("is more than"), "gte": _("is at least"),
        "lt": _("is less than"), "lte": _("is at most"), "in": _("is one of"), "not_in": _("is none of"),
        "contains": _("contains"), "not_contains": _("does not contain"), "starts_with": _("starts with"),
        "ends_with": _("ends with"), "regex": _("matches the pattern"), "is_set": _("is set"),
        "is_not_set": _("is not set"), "before": _("is before"), "after": _("is after"),
        "within_last": _("is within the last"),
    }
    return {op: labels.get(op, op) for op in OPS}


@cache
def time_zones():
    return ["UTC", *sorted(name for name in zoneinfo.available_timezones() if "/" in name
                           and not name.startswith(("Etc/", "SystemV/", "posix/", "right/")))]


def template_variables():
    """What every step's templates can read besides the trigger's payload (``event.<field>``)."""
    return [
        {"name": "learner.first_name", "label": _("the learner's first name")},
        {"name": "learner.last_name", "label": _("the learner's last name")},
        {"name": "learner.name", "label": _("the learner's full name")},
        {"name": "learner.username", "label": _("the learner's username")},
        {"name": "learner.email", "label": _("the learner's e-mail address")},
        {"name": "learner.language", "label": _("the learner's language")},
        {"name": "course.display_name", "label": _("the course's name")},
        {"name": "course.course_key", "label": _("the course key")},
        {"name": "course.start", "label": _("when the course starts")},
        {"name": "course.end", "label": _("when the course ends")},
        {"name": "automation.name", "label": _("this automation's name")},
        {"name": "now", "label": _("the moment the step runs")},
    ]
