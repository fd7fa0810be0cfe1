"""The built-in event types (SPEC §4.1), one class each, registered as entry points in setup.py."""
