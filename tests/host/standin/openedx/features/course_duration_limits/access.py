"""Stand-in of ``openedx.features.course_duration_limits.access``."""
import standin_state


def get_user_course_expiration_date(user, course, enrollment=None):
    standin_state.LMS.record("get_user_course_expiration_date", user, course, enrollment=enrollment)
    return standin_state.LMS.expirations.get((user.pk, course.id))
