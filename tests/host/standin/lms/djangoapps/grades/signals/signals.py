"""Stand-in of ``lms.djangoapps.grades.signals.signals`` (the signal the plugin and edx-completion hear).

edx-platform sends it after every scored attempt (``problem_raw_score_changed_handler``, and from
edx-submissions' ``score_set`` / ``score_reset``), with a plain ``send`` and ``sender=None``::

    PROBLEM_WEIGHTED_SCORE_CHANGED.send(sender=None, weighted_earned=..., weighted_possible=...,
        user_id=..., anonymous_user_id=..., course_id=str, usage_id=str, only_if_higher=...,
        modified=datetime, score_db_table=..., score_deleted=...)
"""
from django.dispatch import Signal

PROBLEM_WEIGHTED_SCORE_CHANGED = Signal()
