"""Stand-in of ``openedx.core.djangoapps.enrollments.errors`` (the classes the API raises)."""


class CourseEnrollmentError(Exception):
    def __init__(self, msg, data=None):
        super().__init__(msg)
        self.data = data


class CourseEnrollmentClosedError(CourseEnrollmentError):
    pass


class CourseEnrollmentFullError(CourseEnrollmentError):
    pass


class CourseEnrollmentExistsError(CourseEnrollmentError):
    enrollment = None

    def __init__(self, message, enrollment):
        super().__init__(message)
        self.enrollment = enrollment


class CourseModeNotFoundError(CourseEnrollmentError):
    pass


class EnrollmentNotFoundError(CourseEnrollmentError):
    pass


class EnrollmentApiLoadError(CourseEnrollmentError):
    pass


class UserNotFoundError(CourseEnrollmentError):
    pass


class InvalidEnrollmentAttribute(CourseEnrollmentError):
    pass
