"""The shape every catalogue entry shares: a declaration staff read in admin, plus params checking.

An entry is a small class: ``key`` (stable public API), ``label``, ``category``, ``description``
and a JSON Schema for its params. Admin choices, validation and docs are generated from these
declarations; the one method each kind adds (evaluate, execute, due_at) lives in its own module::

    class PointsAward(Action):
        key = "points.award"
        label = "Award points"
        category = "Learner data"
        description = "Adds points to the learner's ledger, exactly once per step."
        params_schema = object_schema(["amount"], amount={"type": "integer", "minimum": 1})
"""
from jsonschema import Draft202012Validator

# Entries without params still get a strict schema: a typo'd param is an error, not silently ignored.
EMPTY_SCHEMA = {"type": "object", "properties": {}, "additionalProperties": False}


def object_schema(required=(), **properties):
    """A strict params schema: these properties, these required, nothing else."""
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


class CatalogueEntry:
    """Declarations shared by event types, conditions, actions and waits; subclasses set them all."""

    key = ""
    label = ""
    category = ""
    description = ""
    params_schema = EMPTY_SCHEMA
    #: Params that name a course (or a list of courses): for a course team member they must be courses
    #: of the automation's scope (SPEC §5.16). None: any param called ``course_key`` or ``course_keys``.
    course_params = None
    #: Params that name an automation: for a course team member, one they may change. None: any param
    #: called ``automation_id``.
    automation_params = None

    @classmethod
    def check_params(cls, params):
        """``[{"path": "params.days", "message": ...}]`` for every way ``params`` breaks the schema.

        Paths start at ``params`` so the validator can prefix the step's own path; messages say what
        to change, because staff read them in admin next to the field.
        """
        validator = Draft202012Validator(cls.params_schema)
        errors = [{"path": _path(error), "message": _explain(error)} for error in validator.iter_errors(params)]
        return sorted(errors, key=lambda error: (error["path"], error["message"]))

    @classmethod
    def describe(cls):
        """The declaration as plain data, for docs, the admin and the REST catalogue."""
        return {"key": cls.key, "label": cls.label, "category": cls.category, "description": cls.description,
                "params_schema": cls.params_schema}


def _path(error):
    path = "params" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
    if error.validator == "required":
        # Point at the missing param itself, where staff will type it.
        missing = _missing(error)
        return f"{path}.{missing}" if missing else path
    return path


def _missing(error):
    instance = error.instance if isinstance(error.instance, dict) else {}
    absent = [name for name in error.validator_value if name not in instance]
    return absent[0] if len(absent) == 1 else None


def _explain(error):
    """A message that says what to change, not the validator's internals; one sentence per keyword."""
    keyword, expected, got = error.validator, error.validator_value, error.instance
    if keyword == "required":
        missing = _missing(error)
        if missing:
            return "required — add a value"
        return "add " + ", ".join(repr(name) for name in expected if name not in (got or {}))
    if keyword == "additionalProperties":
        extra = ", ".join(sorted(set(got) - set(error.schema.get("properties", {}))))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"unknown param(s) {extra}; " + (f"allowed: {allowed}" if allowed else "this entry takes none")
    if keyword == "enum":
        return f"must be one of {', '.join(map(str, expected))} (got {got!r})"
    if keyword == "const":
        return f"must be {expected!r} (got {got!r})"
    if keyword == "type":
        wanted = " or ".join(_type_name(name) for name in ([expected] if isinstance(expected, str) else expected))
        return f"must be {wanted} (got {got!r})"
    if keyword == "minimum":
        return f"must be at least {expected} (got {got!r})"
    if keyword == "exclusiveMinimum":
        return f"must be more than {expected} (got {got!r})"
    if keyword == "maximum":
        return f"must be at most {expected} (got {got!r})"
    if keyword == "exclusiveMaximum":
        return f"must be less than {expected} (got {got!r})"
    if keyword == "minItems":
        return f"needs at least {expected} item(s)"
    if keyword == "maxItems":
        return f"takes at most {expected} item(s) (got {len(got)})"
    if keyword == "uniqueItems":
        return "remove the repeated item(s)"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters"
    if keyword == "maxLength":
        return f"must be at most {expected} characters (got {len(got)})"
    if keyword == "pattern":
        return f"{got!r} is not in the expected format ({error.schema.get('description', expected)})"
    if keyword in ("anyOf", "oneOf"):
        return error.schema.get("description") or f"{got!r} matches none of the accepted forms"
    return error.message


def _type_name(type_name):
    names = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "an object", "null": "null"}
    return names.get(type_name, type_name)
