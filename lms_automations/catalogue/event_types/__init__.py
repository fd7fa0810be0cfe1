"""The built-in event types (SPEC §4.1): one declarative class each, grouped by area.

Each class is registered in setup.py under ``lms_automations.events`` with its key as the entry-point
name — the same way a third-party package adds one. Descriptions say when the event fires and which
repeats from the LMS are dropped, because that is what staff need to pick a trigger.
"""
