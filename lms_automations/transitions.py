"""Kept for imports of the old path: transitions live in ``lms_automations.happened.transitions``."""
from .happened.transitions import FREE_MODES, apply_transition, record_derived  # noqa: F401
