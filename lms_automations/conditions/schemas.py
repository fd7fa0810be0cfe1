"""JSON Schema pieces shared by the built-in conditions."""
from ..engine.ops import OPS

OP = {"type": "string", "enum": list(OPS)}
COURSE_KEY = {"type": "string", "minLength": 1, "description": "a course key or a template like {{ event.course_key }}"}
DURATION = {"type": "string", "pattern": r"^P", "description": "an ISO-8601 duration such as P7D"}
ANY_VALUE = {}
NUMERIC_OPS = ["eq", "ne", "gt", "gte", "lt", "lte"]


def params(required, **properties):
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}
