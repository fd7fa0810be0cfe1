"""Receivers: each turns one host occurrence into an ``Event`` row, and nothing else.

``connect_plugin_receivers`` looks the functions up here by the names in ``apps.LMS_RECEIVERS``.
"""
from .accounts import on_account_activated, on_registration_completed, on_session_login_completed
from .certificates import on_certificate_created, on_certificate_revoked
from .cohorts import on_cohort_membership_changed
from .community import (
    on_badge_awarded,
    on_exam_rejected,
    on_exam_submitted,
    on_exam_verified,
    on_forum_comment_created,
    on_forum_response_created,
    on_forum_thread_created,
    on_idv_approved,
    on_idv_denied,
    on_ora_submission_created,
    on_program_certificate_awarded,
)
from .completion import on_block_completion_saved
from .enrollments import on_enrollment_changed, on_enrollment_created, on_unenrollment_completed
from .grades import on_passing_status_updated, on_persistent_grade_changed
from .problems import on_problem_score_changed

__all__ = [
    "on_account_activated",
    "on_ora_submission_created",
    "on_badge_awarded",
    "on_exam_rejected",
    "on_exam_submitted",
    "on_exam_verified",
    "on_forum_comment_created",
    "on_forum_response_created",
    "on_forum_thread_created",
    "on_idv_approved",
    "on_idv_denied",
    "on_program_certificate_awarded",
    "on_block_completion_saved",
    "on_certificate_created",
    "on_certificate_revoked",
    "on_cohort_membership_changed",
    "on_enrollment_changed",
    "on_enrollment_created",
    "on_passing_status_updated",
    "on_persistent_grade_changed",
    "on_problem_score_changed",
    "on_registration_completed",
    "on_session_login_completed",
    "on_unenrollment_completed",
]
