"""The params of the built-in actions: shared JSON Schema pieces, and checks of rendered values.

Schemas check what staff typed, before any template is rendered (validation, import, admin), so a
param that may hold a template has no pattern a template would break. What a template produced is
checked at run time by the ``rendered_*`` helpers, where a bad value is a ``PermanentError`` that
names the param.
"""
from ..catalogue import object_schema
from ..conditions.params import rendered_automation_id  # noqa: F401  (one parser for both kinds)
from ..engine.errors import PermanentError

TEMPLATE_PATTERN = r"\{\{.*\}\}|\{%.*%\}"
#: Enrolment modes nobody paid for: ``enrollment.enroll`` never moves a paid enrolment to one of them.
FREE_MODES = ("audit", "honor")

COURSE_KEY = {"type": "string", "minLength": 1, "maxLength": 255,
              "description": "a course key (course-v1:Org+Course+Run) or a template like {{ event.course_key }}"}
MODE = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[a-z][a-z0-9_-]*$",
        "description": "an enrolment mode the course offers, such as audit or verified"}
BLOCK_KEYS = {"type": "array", "minItems": 1, "maxItems": 500, "uniqueItems": True,
              "items": {"type": "string", "minLength": 1, "maxLength": 255},
              "description": "usage keys of blocks (block-v1:…)"}
COHORT = {"type": "string", "minLength": 1, "maxLength": 255, "description": "the cohort's name"}
AUTOMATION_ID = {
    "anyOf": [{"type": "integer", "minimum": 1},
              {"type": "string", "pattern": r"^\s*[0-9]+\s*$"},
              {"type": "string", "pattern": TEMPLATE_PATTERN}],
    "description": "an automation's id (a number), or a template that renders one",
}

params = object_schema


def rendered_text(params, name, *, max_length=None):
    """A required text param after rendering, stripped; empty (e.g. a template over a missing event
    field) is an error rather than a silent no-op."""
    value = str(params.get(name) if params.get(name) is not None else "").strip()
    if not value:
        raise PermanentError(f"params.{name}: the value is empty after rendering (does the event carry it?)")
    if max_length and len(value) > max_length:
        raise PermanentError(f"params.{name}: at most {max_length} characters (got {len(value)})")
    return value


def rendered_course_key(params, name="course_key"):
    return rendered_text(params, name, max_length=255)


def with_extra_errors(schema_errors, extra_errors):
    """Schema errors plus an entry's own checks, in the order ``check_params`` promises."""
    return sorted([*schema_errors, *extra_errors], key=lambda error: (error["path"], error["message"]))
