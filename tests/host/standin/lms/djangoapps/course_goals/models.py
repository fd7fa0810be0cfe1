"""Stand-in of ``lms.djangoapps.course_goals.models``."""
from standin_rows import TableOf


class UserActivity:
    objects = TableOf("activity")
