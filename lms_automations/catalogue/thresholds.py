"""The thresholds automations ask for: the days of ``activity.inactive``, the percentages of
``progress.threshold_reached``, the scores of ``points.threshold_reached`` (ADR 0015).

A course team chooses them per trigger (``params``, e.g. ``{"days": 10}``); older documents say the
same with a filter on the payload field (``event.field days eq 10``, or ``in``), and both count. The
plugin computes exactly these values for the automations that can use them, plus the operator's
defaults (``INACTIVITY_DAYS``, ``PROGRESS_THRESHOLDS``, ``POINTS_THRESHOLDS``; ``[]`` for none):
the daily scan scans those days only, and a block completion derives those percentages only.
A filter of another shape (``days gte 10``) picks among the computed values, as it always did.

This module only reads definitions it is given; the engine's cached index collects them
(``engine.trigger_index``) and ``happened.thresholds`` hands them to the scan and the transitions.
"""
from ..conf import get_setting
from .registry import get_event_types

#: Ops of a payload-field filter whose values name thresholds outright.
NAMING_OPS = ("eq", "in")


def threshold_types():
    """``{event type key: class}`` of the catalogue's event types whose trigger chooses a threshold."""
    return {key: entry for key, entry in get_event_types().items() if entry.threshold_param}


def valid_value(event_type, value):
    """``value`` as the threshold it names (a whole number within the param's limits), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    spec = event_type.params_schema.get("properties", {}).get(event_type.threshold_param, {})
    if value < spec.get("minimum", 1) or value > spec.get("maximum", value):
        return None
    return value


def named_in_filter(event_type, tree):
    """The thresholds a filter over ``event_type``'s payload names (``event.field <param> eq/in``)."""
    found = set()
    for leaf in leaves(tree):
        params = leaf.get("params") if isinstance(leaf.get("params"), dict) else {}
        if leaf.get("condition") != "event.field" or params.get("path") != event_type.threshold_param:
            continue
        if params.get("op") not in NAMING_OPS:
            continue
        values = params.get("value") if isinstance(params.get("value"), list) else [params.get("value")]
        found.update(value for value in map(lambda v: valid_value(event_type, v), values) if value is not None)
    return found


def named_by_occurred(event_type, tree):
    """The thresholds an ``event.occurred`` condition about ``event_type`` looks for in history."""
    found = set()
    for leaf in leaves(tree):
        params = leaf.get("params") if isinstance(leaf.get("params"), dict) else {}
        if leaf.get("condition") == "event.occurred" and params.get("event") == event_type.key:
            found |= named_in_filter(event_type, params.get("filter"))
    return found


def named_by_row(event_type, params, tree):
    """The thresholds a trigger or exit condition on ``event_type`` names: its param and its filter."""
    found = named_in_filter(event_type, tree)
    value = valid_value(event_type, (params or {}).get(event_type.threshold_param))
    if value is not None:
        found.add(value)
    return found


def leaves(tree, depth=0):
    """Every leaf of a condition tree (a malformed draft's tree yields what it can)."""
    if not isinstance(tree, dict) or depth > 50:
        return
    for group in ("all", "any"):
        if isinstance(tree.get(group), list):
            for child in tree[group]:
                yield from leaves(child, depth + 1)
            return
    if "not" in tree:
        yield from leaves(tree["not"], depth + 1)
        return
    yield tree


def defaults(event_type):
    """The operator's values for ``event_type`` (valid ones only; an empty list means none)."""
    configured = get_setting(event_type.thresholds_setting) if event_type.thresholds_setting else ()
    return {value for value in map(lambda v: valid_value(event_type, v), configured or ()) if value is not None}
