"""Built-in actions (SPEC §4.3), one small class each, registered as entry points in setup.py.

Modules by area: ``enrollment``, ``cohorts``, ``progress``, ``certificates`` (the LMS, through the
host adapter), ``learner_data`` (tags, fields, lists, points), ``messaging`` (e-mail, notifications,
opt-out), ``webhook`` (with ``webhook_safety``) and ``automation_control``. Shared param schemas live
in ``params``; the events actions cause are recorded through ``emitting``.
"""
