"""Enrolment event types, after the repeats the LMS sends are filtered out at dispatch."""
from ..events import EventType


class EnrollmentCreated(EventType):
    key = "enrollment.created"
    label = "Enrolled in a course"
    category = "Enrolment"
    description = "A learner enrolled, once per activation: the LMS re-sending its signal for an active enrolment is ignored."
    payload_fields = {
        "course_key": "the course",
        "org": "the course's organisation",
        "mode": "the enrolment mode, e.g. audit or verified",
    }


class EnrollmentModeChanged(EventType):
    key = "enrollment.mode_changed"
    label = "Enrolment mode changed"
    category = "Enrolment"
    description = "An active enrolment moved to another mode (only real changes against the last known mode)."
    payload_fields = {
        "course_key": "the course",
        "from_mode": "the mode before",
        "to_mode": "the mode after",
    }


class EnrollmentUpgraded(EventType):
    key = "enrollment.upgraded"
    label = "Upgraded to a paid track"
    category = "Enrolment"
    description = "The mode changed from a free mode (audit, honor) to a paid one: the LMS's own purchase."
    payload_fields = {
        "course_key": "the course",
        "from_mode": "the free mode",
        "to_mode": "the paid mode",
    }


class EnrollmentDeactivated(EventType):
    key = "enrollment.deactivated"
    label = "Unenrolled"
    category = "Enrolment"
    description = "A learner left a course (COURSE_UNENROLLMENT_COMPLETED)."
    payload_fields = {
        "course_key": "the course",
        "mode": "the mode they had",
    }
