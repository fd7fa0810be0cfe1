"""The public way to make things happen in the sandbox LMS (SPEC §9).

Each function does what the matching edx-platform code path does to the database and sends the same
openedx-events signals (and the same Django ``post_save`` of edx-completion), in the same order and with
the same repeats, so the plugin meets here what it will meet in Open edX. Each runs in one transaction,
like an edx-platform request (``ATOMIC_REQUESTS``): receivers run before the commit.

Signals go out through ``send_event`` with its default robustness: a receiver error is logged, not
raised, unless ``settings.DEBUG`` is on (as in an edx-platform devstack).

One module per area (``accounts``, ``courses``, ``enrollments``, ``progress``, ``grades``, ``cohorts``);
callers use the names exported here: ``from sandbox.lms import services; services.enroll(...)``.
"""
from .accounts import create_learner, login, register
from .cohorts import join_cohort
from .courses import DEFAULT_BLOCK_TYPE, DEFAULT_OUTLINE, course_key_of, create_course, get_course
from .enrollments import InvalidMode, change_mode, enroll, get_enrollment, unenroll
from .grades import PASS_LETTER, award_certificate, revoke_certificate, set_grade
from .progress import WAFFLE_REQUEST_CACHE, complete_block, move_activity_back, record_activity, score_problem

__all__ = [
    "DEFAULT_BLOCK_TYPE", "DEFAULT_OUTLINE", "PASS_LETTER", "WAFFLE_REQUEST_CACHE", "InvalidMode",
    "award_certificate", "change_mode", "complete_block", "course_key_of", "create_course", "create_learner",
    "enroll", "get_course", "get_enrollment", "join_cohort", "login", "move_activity_back", "record_activity",
    "register", "revoke_certificate", "score_problem", "set_grade", "unenroll",
]
