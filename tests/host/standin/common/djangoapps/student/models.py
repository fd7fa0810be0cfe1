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
