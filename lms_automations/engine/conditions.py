"""Evaluating condition trees — ``all`` / ``any`` / ``not`` groups of catalogue conditions (SPEC §4.2).

Every leaf is evaluated when the learner reaches it and recorded with the value it saw, so a
branch's decision can be explained afterwards ("course.progress was 0, needed > 0 → no").
"""
import dataclasses

from .errors import PermanentError


@dataclasses.dataclass
class Evaluation:
    """The outcome of a condition tree and the record of every leaf that was evaluated."""

    result: bool
    leaves: list

    def as_detail(self):
        return {"result": self.result, "leaves": self.leaves}


def evaluate_tree(tree, context, path="condition"):
    """Evaluate ``tree`` for the learner in ``context``; an empty tree (None or {}) holds."""
    leaves = []
    result = True if not tree else _evaluate(tree, context, path, leaves)
    return Evaluation(result=result, leaves=leaves)


def _evaluate(node, context, path, leaves):
    if not isinstance(node, dict):
        raise PermanentError(f"{path}: a condition must be an object")
    if "all" in node:
        # Every child is evaluated (no short-circuit) so the explanation shows them all.
        results = [_evaluate(child, context, f"{path}.all[{i}]", leaves) for i, child in enumerate(node["all"])]
        return all(results)
    if "any" in node:
        results = [_evaluate(child, context, f"{path}.any[{i}]", leaves) for i, child in enumerate(node["any"])]
        return any(results)
    if "not" in node:
        return not _evaluate(node["not"], context, f"{path}.not", leaves)
    return _evaluate_leaf(node, context, path, leaves)


def _evaluate_leaf(node, context, path, leaves):
    from ..catalogue import get_conditions  # pylint: disable=import-outside-toplevel

    key = node.get("condition")
    condition_class = get_conditions().get(key)
    if condition_class is None:
        raise PermanentError(f"{path}.condition: unknown condition {key!r}")
    params = context.render(node.get("params") or {}, f"{path}.params")
    outcome = condition_class().evaluate(params, context)
    result, observed = outcome if isinstance(outcome, tuple) else (outcome, None)
    leaves.append({"path": path, "condition": key, "params": _jsonable(params), "observed": _jsonable(observed),
                   "result": bool(result)})
    return bool(result)


def condition_keys(node):
    """Every condition key used in a tree (for validation and for documentation)."""
    if not isinstance(node, dict):
        return []
    for group in ("all", "any"):
        if group in node:
            return [key for child in node[group] for key in condition_keys(child)]
    if "not" in node:
        return condition_keys(node["not"])
    return [node.get("condition")]


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
