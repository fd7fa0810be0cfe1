"""Stand-in of ``openedx.core.djangoapps.content.course_overviews.models``."""
from standin_rows import TableOf


class CourseOverview:
    objects = TableOf("overviews")
