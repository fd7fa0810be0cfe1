"""Stand-in of ``common.djangoapps.student.models``."""
import standin_state
from opaque_keys.edx.keys import CourseKey
from standin_rows import TableOf


class CourseEnrollment:
    objects = TableOf("enrollments")

    @classmethod
    def unenroll(cls, user, course_id, skip_refund=False):
        assert isinstance(course_id, CourseKey), "CourseEnrollment.unenroll takes a CourseKey"
        standin_state.LMS.record("CourseEnrollment.unenroll", user, course_id, skip_refund=skip_refund)
        for row in standin_state.LMS.enrollments.filter(user_id=user.pk, course_id=course_id).rows:
            row.is_active = False


class UserAttribute:
    objects = TableOf("user_attributes")


class CourseAccessRole:
    objects = TableOf("access_roles")


def user_by_anonymous_id(uid):
    """The user behind a course-specific anonymous id, or None."""
    standin_state.LMS.record("user_by_anonymous_id", uid)
    user_id = standin_state.LMS.anonymous_ids.get(uid)
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user_id)


class Registration:
    """Only its class is the sender of USER_ACCOUNT_ACTIVATED."""
