"""Cohort, assignment, exam, forum and identity-verification event types."""
from ..events import EventType


class CohortJoined(EventType):
    key = "cohort.joined"
    label = "Joined a cohort"
    category = "Community"
    description = "The learner was put in a cohort (COHORT_MEMBERSHIP_CHANGED)."
    payload_fields = {
        "course_key": "the course",
        "cohort": "the cohort's name",
    }


class AssignmentSubmitted(EventType):
    key = "assignment.submitted"
    label = "Assignment submitted"
    category = "Community"
    description = "An open response assessment was submitted (ORA_SUBMISSION_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the assignment",
    }


class ExamSubmitted(EventType):
    key = "exam.submitted"
    label = "Exam submitted"
    category = "Exams"
    description = "An exam attempt was submitted (EXAM_ATTEMPT_SUBMITTED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the exam",
        "exam_type": "e.g. proctored, timed",
    }


class ExamVerified(EventType):
    key = "exam.verified"
    label = "Exam verified"
    category = "Exams"
    description = "An exam attempt was verified (EXAM_ATTEMPT_VERIFIED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the exam",
        "exam_type": "e.g. proctored, timed",
    }


class ExamRejected(EventType):
    key = "exam.rejected"
    label = "Exam rejected"
    category = "Exams"
    description = "An exam attempt was rejected (EXAM_ATTEMPT_REJECTED)."
    payload_fields = {
        "course_key": "the course",
        "block_key": "the exam",
        "exam_type": "e.g. proctored, timed",
    }


class ForumThreadCreated(EventType):
    key = "forum.thread_created"
    label = "Started a discussion"
    category = "Community"
    description = "The learner created a forum thread (FORUM_THREAD_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "thread_id": "the thread",
    }


class ForumResponseCreated(EventType):
    key = "forum.response_created"
    label = "Answered a discussion"
    category = "Community"
    description = "The learner responded to a thread (FORUM_THREAD_RESPONSE_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "thread_id": "the thread",
    }


class ForumCommentCreated(EventType):
    key = "forum.comment_created"
    label = "Commented in a discussion"
    category = "Community"
    description = "The learner commented on a response (FORUM_RESPONSE_COMMENT_CREATED)."
    payload_fields = {
        "course_key": "the course",
        "thread_id": "the thread",
    }


class IdvApproved(EventType):
    key = "idv.approved"
    label = "Identity verified"
    category = "Account"
    description = "An identity verification was approved (IDV_ATTEMPT_APPROVED)."


class IdvDenied(EventType):
    key = "idv.denied"
    label = "Identity verification denied"
    category = "Account"
    description = "An identity verification was denied (IDV_ATTEMPT_DENIED)."
