"""Stand-in of ``lms.djangoapps.grades.models``."""
from standin_rows import TableOf


class PersistentCourseGrade:
    objects = TableOf("grades")
