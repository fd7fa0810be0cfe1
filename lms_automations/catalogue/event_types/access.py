"""Access event types: when a learner's access to a course ends, and when it is extended.

Open edX sends no signal when access ends by a date (audit expiry, course end): the daily access
scan (``happened/access_scan.py``) computes those dates, as the LMS does when it gates a page, and
records one event per learner, course and end date. Unenrolment is the LMS's own signal, derived
from ``enrollment.deactivated``. The LMS announces no date extension either: ``access.extended``
is what the plugin's own ``dates.extend`` did.
"""
from ..events import EventType

#: ``access.ended``'s ``reason`` values.
REASONS = ("audit_expired", "course_ended", "unenrolled")


class AccessEnded(EventType):
    key = "access.ended"
    label = "Access to a course ended"
    category = "Enrolment"
    description = ("Fires when a learner's access to a course ends: reason audit_expired (the audit access "
                   "expiry of course duration limits passed), course_ended (the course end passed while they "
                   "were enrolled) or unenrolled. The two dates are found by the daily scan, so the event comes "
                   "up to a day after the moment (ended_at holds the moment itself); once per learner, course "
                   "and end date, and only for ends after the scan first ran.")
    payload_fields = {
        "course_key": "the course",
        "reason": "audit_expired, course_ended or unenrolled",
        "mode": "the enrolment mode",
        "ended_at": "when access ended (ISO 8601, UTC)",
    }


class AccessExtended(EventType):
    key = "access.extended"
    label = "Deadlines extended"
    category = "Enrolment"
    description = ("Fires when an automation's dates.extend gave the learner a personal extension of their due "
                   "dates in a course (edx-when). Extensions staff grant in the instructor dashboard send no "
                   "signal in Open edX, so they are not seen.")
    payload_fields = {
        "course_key": "the course",
        "days": "the days added",
        "blocks": "how many dated blocks were extended",
        "access_ends_at": "the learner's access end after the extension (ISO 8601), empty when unlimited",
    }
