"""Built-in conditions (SPEC §4.2), one class each, registered as entry points in setup.py.

Modules by area: ``event`` (the event's payload, past events), ``learner`` (fields, tags, lists,
consent, points), ``course`` (enrolment, progress, grade, certificate, activity, access),
``cohort``, ``engagement`` (e-mail) and ``automations`` (runs in other automations). Shared params
schemas live in ``params``; the comparison ops in ``lms_automations.engine.ops``.
"""
