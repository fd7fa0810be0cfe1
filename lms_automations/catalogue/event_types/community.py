"""Cohort, assignment, exam, forum and identity-verification event types (openedx-events signals;
exams come from edx-exams through the event bus). A re-delivery of the same signal is one event."""
from ..events import EventType


class CohortJoined(EventType):
    key = "cohort.joined"
    label = "Joined a cohort"
    category = "Community"
    description = "Fires when the learner is placed in a cohort, by staff or automatically (COHORT_MEMBERSHIP_CHANGED)."
    payload_fields = {
        "course_key": "the course",
        "cohort": "the cohort's name",
    }


class AssignmentSubmitted(EventType):
    key = "assignment.submitted"
    label = "Submitted an assignment"
    category = "Assignments and exams"
    description = "Fires when the learner submits an open response assessment (ORA_SUBMISSION_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the assignment",
    }


class ExamSubmitted(EventType):
    key = "exam.submitted"
    label = "Submitted an exam"
    category = "Assignments and exams"
    description = "Fires when the learner submits a timed or proctored exam attempt (EXAM_ATTEMPT_SUBMITTED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the exam",
        "exam_type": "e.g. proctored, timed, practice",
    }


class ExamVerified(EventType):
    key = "exam.verified"
    label = "Exam attempt verified"
    category = "Assignments and exams"
    description = "Fires when an exam attempt passes proctoring review (EXAM_ATTEMPT_VERIFIED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the exam",
        "exam_type": "e.g. proctored, timed, practice",
    }


class ExamRejected(EventType):
    key = "exam.rejected"
    label = "Exam attempt rejected"
    category = "Assignments and exams"
    description = "Fires when an exam attempt fails proctoring review (EXAM_ATTEMPT_REJECTED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the exam",
        "exam_type": "e.g. proctored, timed, practice",
    }


class ForumThreadCreated(EventType):
    key = "forum.thread_created"
    label = "Started a discussion"
    category = "Community"
    description = "Fires when the learner posts a new discussion thread (FORUM_THREAD_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "thread_id": "the thread",
    }


class ForumResponseCreated(EventType):
    key = "forum.response_created"
    label = "Replied to a discussion"
    category = "Community"
    description = "Fires when the learner posts a response to a thread (FORUM_THREAD_RESPONSE_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "thread_id": "the thread responded to",
    }


class ForumCommentCreated(EventType):
    key = "forum.comment_created"
    label = "Commented in a discussion"
    category = "Community"
    description = "Fires when the learner comments on a response (FORUM_RESPONSE_COMMENT_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "thread_id": "the thread commented in",
    }


class IdvApproved(EventType):
    key = "idv.approved"
    label = "Identity verified"
    category = "Account"
    description = "Fires when the learner's identity verification is approved (IDV_ATTEMPT_APPROVED)."


class IdvDenied(EventType):
    key = "idv.denied"
    label = "Identity verification denied"
    category = "Account"
    description = "Fires when the learner's identity verification is denied (IDV_ATTEMPT_DENIED)."
