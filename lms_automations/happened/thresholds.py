"""Which thresholds the scan and the derived events compute: what automations ask for, plus the
operator's defaults (ADR 0015).

What automations ask for lives in the engine's cached definitions; the engine connects it here
when it is imported (``connect``), as it connects its listener index to ``recording``. A process
that never imported the engine computes the operator's defaults only.
"""
import logging

from ..catalogue.thresholds import defaults, threshold_types

log = logging.getLogger(__name__)
_index = {"asked": None}


def connect(asked):
    """Called by the engine: ``asked(event_type) -> set`` of the values listening automations name."""
    _index["asked"] = asked


def thresholds_for(event_type):
    """The sorted values of ``event_type`` to compute (``[]`` for a type without thresholds)."""
    entry = threshold_types().get(event_type)
    if entry is None:
        return []
    asked = set()
    if _index["asked"] is not None:
        try:
            asked = set(_index["asked"](event_type))
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: thresholds of %s unavailable; the operator's defaults only", event_type)
    return sorted(asked | defaults(entry))
