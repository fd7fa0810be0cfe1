"""The params of the built-in conditions: shared JSON Schema pieces, and checks of rendered values.

Schemas check what staff typed (templates unrendered); the ``rendered_*`` helpers check what a
template produced at run time, where a bad value is a ``PermanentError`` staff can act on.
"""
from ..catalogue import object_schema
from ..engine.errors import PermanentError
from ..engine.ops import NUMERIC_OPS, OPS, VALUELESS_OPS

TEMPLATE_PATTERN = r"\{\{.*\}\}|\{%.*%\}"

OP = {"type": "string", "enum": list(OPS), "description": "a comparison operator"}
NUMERIC_OP = {"type": "string", "enum": list(NUMERIC_OPS), "description": "eq, ne, gt, gte, lt or lte"}
ANY_VALUE = {"description": "the value to compare with (a list for in / not_in, an ISO duration for within_last)"}
COURSE_KEY = {"type": "string", "minLength": 1, "maxLength": 255,
              "description": "a course key or a template like {{ event.course_key }}"}
DURATION = {"type": "string", "pattern": r"^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$",
            "description": "an ISO-8601 duration such as P7D, PT12H or P1DT6H"}
PERCENT = {"type": "number", "minimum": 0, "maximum": 100, "description": "a percent, 0–100"}
NAME = {"type": "string", "minLength": 1, "maxLength": 255}
SLUG = {"type": "string", "minLength": 1, "maxLength": 80, "pattern": r"^[-a-zA-Z0-9_]+$",
        "description": "a list slug: letters, digits, - and _"}
AUTOMATION_ID = {
    "anyOf": [{"type": "integer", "minimum": 1},
              {"type": "string", "pattern": r"^\s*[0-9]+\s*$"},
              {"type": "string", "pattern": TEMPLATE_PATTERN}],
    "description": "an automation's id (a number), or a template that renders one",
}


def params(required=(), **properties):
    """A strict params schema (``object_schema``)."""
    return object_schema(required, **properties)


def compared_params(required, **properties):
    """A strict schema with ``op`` and ``value``, where ``value`` is required unless the op needs none."""
    schema = object_schema((*required, "op"), op=OP, value=ANY_VALUE, **properties)
    schema["if"] = {"properties": {"op": {"not": {"enum": list(VALUELESS_OPS)}}}, "required": ["op"]}
    schema["then"] = {"required": ["value"]}
    return schema


def rendered_course_key(params, name="course_key"):
    """The course key param after rendering; an empty one (a template over an event without a course)
    is an error, never "any course"."""
    course_key = str(params.get(name) or "").strip()
    if not course_key:
        raise PermanentError(f"params.{name}: the course key is empty (does the event carry a course_key?)")
    return course_key


def rendered_automation_id(params, name="automation_id"):
    """The automation id param after rendering, as an int."""
    value = params.get(name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or number < 1:
        raise PermanentError(f"params.{name}: {value!r} is not an automation id")
    return number
