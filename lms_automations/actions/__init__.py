"""Built-in actions (SPEC §4.3), one class each, registered as entry points in setup.py."""
