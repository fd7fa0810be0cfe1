"""Stand-in of ``openedx.core.djangoapps.course_groups.models``."""


class CourseUserGroup:
    class DoesNotExist(Exception):
        pass
