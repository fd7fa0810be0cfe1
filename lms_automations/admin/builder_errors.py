"""Validation errors located on what the builder draws: the step (by its own id) and the field.

``steps[1].no[0].params.days`` becomes ``{"step_id": "wait-1", "field": "days", ...}`` so the
builder shows the message on the step's card and beside the field in its panel; errors of
triggers and exit conditions are placed on their row (``where`` and ``index``).
"""
import re

_INDEX = re.compile(r"^(steps|yes|no)\[(\d+)\]")


def located(document, errors):
    """Each error with ``step_id`` / ``where`` / ``index`` / ``field`` added where they can be found."""
    return [{**error, **_locate(document, error.get("path") or "")} for error in errors]


def _locate(document, error_path):
    for where in ("triggers", "exit_conditions"):
        match = re.match(rf"^{where}\[(\d+)\]\.?(.*)$", error_path)
        if match:
            return {"where": where, "index": int(match.group(1)), "field": match.group(2)}
    if not error_path.startswith("steps["):
        return {"where": "automation", "field": error_path.split("[")[0]}
    steps, rest, step = (document or {}).get("steps") or [], error_path, None
    while True:
        match = _INDEX.match(rest)
        if not match or not isinstance(steps, list) or int(match.group(2)) >= len(steps):
            break
        step = steps[int(match.group(2))]
        rest = rest[match.end():].lstrip(".")
        if not isinstance(step, dict):
            break
        steps = step.get(rest.split("[")[0]) if rest.startswith(("yes[", "no[")) else None
        if steps is None:
            break
    if not isinstance(step, dict):
        return {"where": "steps"}
    field = rest[len("params."):] if rest.startswith("params.") else rest
    return {"where": "step", "step_id": step.get("id") or "", "field": field}
