"""JSON Schema pieces shared by the built-in conditions."""
from ..catalogue.base import object_schema
from ..engine.ops import OPS

OP = {"type": "string", "enum": list(OPS)}
COURSE_KEY = {"type": "string", "minLength": 1, "description": "a course key or a template like {{ event.course_key }}"}
DURATION = {"type": "string", "pattern": r"^P", "description": "an ISO-8601 duration such as P7D"}
ANY_VALUE = {}
NUMERIC_OPS = ["eq", "ne", "gt", "gte", "lt", "lte"]

params = object_schema
