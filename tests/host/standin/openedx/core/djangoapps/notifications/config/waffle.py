"""Stand-in of ``openedx.core.djangoapps.notifications.config.waffle``: the course flag
``notifications.enable_notifications``, off unless a test turns it on (the LMS's default)."""
import standin_state


class CourseWaffleFlag:
    """``is_enabled(course_key)`` as the LMS's course flag answers: on for everyone, or for the course."""

    def __init__(self, name):
        self.name = name

    def is_enabled(self, course_key=None):
        flags = standin_state.lms().notification_flags
        return flags.get("everyone", False) or course_key in flags.get("courses", ())


ENABLE_NOTIFICATIONS = CourseWaffleFlag("notifications.enable_notifications")
