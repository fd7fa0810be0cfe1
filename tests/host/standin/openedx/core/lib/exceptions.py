"""Stand-in of ``openedx.core.lib.exceptions``."""


class CourseNotFoundError(Exception):
    pass
