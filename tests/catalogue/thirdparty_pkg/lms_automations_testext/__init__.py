"""Catalogue entries of a third-party package (used by the test suite)."""
from lms_automations.catalogue import Condition, EventType


class WebinarAttended(EventType):
    key = "testext.webinar_attended"
    label = "Attended a webinar"
    category = "Webinars"
    description = "The webinar platform reported the learner attended."
    payload_fields = {"webinar": "the webinar's id"}


class Always(Condition):
    key = "testext.always"
    label = "Always"
    category = "Test"
    description = "Always holds."

    def evaluate(self, params, context):
        return True
