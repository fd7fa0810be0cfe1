"""The shape every catalogue entry shares: a declaration staff read in admin, plus params checking.

An entry is a small class: ``key`` (stable public API), ``label``, ``category``, ``description``
and a JSON Schema for its params. Admin choices, validation and docs are generated from these
declarations; the one method each kind adds (evaluate, execute, due_at) lives in its own module.
"""
from jsonschema import Draft202012Validator

EMPTY_SCHEMA = {"type": "object", "properties": {}, "additionalProperties": False}


def object_schema(required=(), **properties):
    """A strict params schema: these properties, these required, nothing else."""
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


class CatalogueEntry:
    key = ""
    label = ""
    category = ""
    description = ""
    params_schema = EMPTY_SCHEMA

    @classmethod
    def check_params(cls, params):
        """``[{"path": "params.days", "message": ...}]`` for every way ``params`` breaks the schema."""
        validator = Draft202012Validator(cls.params_schema)
        errors = []
        for error in sorted(validator.iter_errors(params), key=lambda e: list(e.absolute_path)):
            path = "params" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            errors.append({"path": path, "message": _explain(error)})
        return errors

    @classmethod
    def describe(cls):
        return {"key": cls.key, "label": cls.label, "category": cls.category, "description": cls.description,
                "params_schema": cls.params_schema}


def _explain(error):
    """A message that says what to change, not the validator's internals."""
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"add {missing!r}"
    if error.validator == "additionalProperties":
        extra = ", ".join(sorted(set(error.instance) - set(error.schema.get("properties", {}))))
        allowed = ", ".join(sorted(error.schema.get("properties", {}))) or "none"
        return f"unknown param(s) {extra}; allowed: {allowed}"
    if error.validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))} (got {error.instance!r})"
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(
            error.validator_value)
        return f"must be {_article(expected)} (got {error.instance!r})"
    if error.validator in ("minimum", "exclusiveMinimum"):
        return f"must be at least {error.validator_value} (got {error.instance!r})"
    if error.validator in ("maximum", "exclusiveMaximum"):
        return f"must be at most {error.validator_value} (got {error.instance!r})"
    if error.validator == "minItems":
        return f"needs at least {error.validator_value} item(s)"
    if error.validator == "minLength":
        return "must not be empty"
    if error.validator == "maxLength":
        return f"must be at most {error.validator_value} characters"
    if error.validator == "pattern":
        expected = error.schema.get("description", error.validator_value)
        return f"{error.instance!r} is not in the expected format ({expected})"
    return error.message


def _article(type_name):
    names = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "an object", "null": "null"}
    return names.get(type_name, type_name)
