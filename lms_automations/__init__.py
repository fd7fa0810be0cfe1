"""lms-automations: when a learner does something, only if conditions hold, then act."""

__version__ = "0.1.0"
