"""Built-in waits (SPEC §4.4), one class each, registered as entry points in setup.py."""
