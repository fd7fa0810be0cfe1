"""Certificate receivers (openedx-events).

CREATED is re-sent on every save of a downloadable certificate; "once per certificate" is enforced at
dispatch, since each re-send has its own event id.
"""
from .base import never_raises, record_openedx_event


@never_raises
def on_certificate_created(sender, signal=None, **kwargs):
    """CERTIFICATE_CREATED → ``certificate.awarded``."""
    certificate = kwargs["certificate"]
    record_openedx_event(
        "certificate.awarded",
        kwargs,
        user_id=certificate.user.id,
        course_key=str(certificate.course.course_key),
        mode=certificate.mode,
        grade=certificate.grade,
        download_url=certificate.download_url,
    )


@never_raises
def on_certificate_revoked(sender, signal=None, **kwargs):
    """CERTIFICATE_REVOKED → ``certificate.revoked``."""
    certificate = kwargs["certificate"]
    record_openedx_event(
        "certificate.revoked",
        kwargs,
        user_id=certificate.user.id,
        course_key=str(certificate.course.course_key),
    )
