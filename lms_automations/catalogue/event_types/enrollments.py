"""Enrolment event types. The LMS repeats some of its enrolment signals; the repeats are dropped at
dispatch against the learner's last known enrolment, so these fire on real changes only."""
from ..events import EventType


class EnrollmentCreated(EventType):
    key = "enrollment.created"
    label = "Enrolled in a course"
    category = "Enrolment"
    description = "Fires when a learner enrols or re-activates an enrolment (COURSE_ENROLLMENT_CREATED), once per activation: the LMS re-sending its signal for an enrolment that is already active is ignored."
    payload_fields = {
        "course_key": "the course, e.g. course-v1:Org+Course+Run",
        "org": "the course's organisation",
        "mode": "the enrolment mode, e.g. audit or verified",
    }


class EnrollmentModeChanged(EventType):
    key = "enrollment.mode_changed"
    label = "Changed enrolment track"
    category = "Enrolment"
    description = "Fires when an active enrolment moves to another mode (COURSE_ENROLLMENT_CHANGED), only when the mode differs from the last known one."
    payload_fields = {
        "course_key": "the course",
        "from_mode": "the mode before",
        "to_mode": "the mode after",
    }


class EnrollmentUpgraded(EventType):
    key = "enrollment.upgraded"
    label = "Upgraded to a paid track"
    category = "Enrolment"
    description = "Fires when the mode changes from a free mode (audit, honor) to a paid one — the LMS's own purchase. Comes with an enrollment.mode_changed for the same change."
    payload_fields = {
        "course_key": "the course",
        "from_mode": "the free mode before",
        "to_mode": "the paid mode after",
    }


class EnrollmentDeactivated(EventType):
    key = "enrollment.deactivated"
    label = "Unenrolled from a course"
    category = "Enrolment"
    description = "Fires when a learner leaves a course or staff unenrol them (COURSE_UNENROLLMENT_COMPLETED), once per enrolment: a repeated unenrolment is ignored."
    payload_fields = {
        "course_key": "the course",
        "mode": "the mode the learner had",
    }
