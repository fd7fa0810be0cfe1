"""The ``openedx`` host backend: the plugin inside a real Open edX LMS (Sumac through Verawood/master).

Every edx-platform import happens inside the method that needs it, so the plugin loads (and its
migrations run) in any process, and one module per host area keeps each import path in one place.
What the LMS raises is turned into the engine's ``PermanentError`` / ``TransientError`` with a message
a course team can act on (``errors.host_call``).
"""
from ..base import HostBackend
from .access import AccessMixin
from .certificates import CertificatesMixin
from .cohorts import CohortsMixin
from .courses import CoursesMixin
from .enrollments import EnrollmentsMixin
from .notifications import NotificationsMixin
from .progress import ProgressMixin
from .users import UsersMixin

__all__ = ["OpenEdxHost"]


class OpenEdxHost(  # pylint: disable=too-many-ancestors
    UsersMixin, CoursesMixin, AccessMixin, EnrollmentsMixin, ProgressMixin, CertificatesMixin, CohortsMixin,
    NotificationsMixin, HostBackend,
):
    name = "openedx"
