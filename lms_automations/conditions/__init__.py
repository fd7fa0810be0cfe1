"""Built-in conditions (SPEC §4.2), one class each, registered as entry points in setup.py."""
