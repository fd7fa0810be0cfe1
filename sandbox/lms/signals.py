"""Django signals of edx-platform the sandbox sends, each under the path it has in the LMS.

``SIGNAL_PATHS`` maps an LMS signal path to the sandbox's signal, so plugins' ``signals_config``
receivers for it are connected here as the LMS connects them (``apps.connect_plugin_receivers``).
"""
from django.dispatch import Signal

#: ``lms.djangoapps.grades.signals.signals.PROBLEM_WEIGHTED_SCORE_CHANGED``: sent after every scored
#: problem attempt, ``sender=None``, with user_id, anonymous_user_id, course_id and usage_id (strings),
#: weighted_earned, weighted_possible, only_if_higher, modified, score_db_table, score_deleted.
PROBLEM_WEIGHTED_SCORE_CHANGED = Signal()

SIGNAL_PATHS = {
    "lms.djangoapps.grades.signals.signals.PROBLEM_WEIGHTED_SCORE_CHANGED": PROBLEM_WEIGHTED_SCORE_CHANGED,
}
#: Receivers whose work the sandbox's services do themselves: edx-completion's marks a scored problem
#: complete but needs the LMS's XBlock classes (``XBlock.load_class("problem")``) to know it may.
DONE_BY_SERVICES = {"scorable_block_completion"}
