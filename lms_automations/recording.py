"""Kept for imports of the old path: recording lives in ``lms_automations.happened.recording``."""
from .happened.recording import (  # noqa: F401
    collecting_dispatches,
    enqueue_dispatch,
    hand_over,
    record_event,
    record_events,
)
