"""Course certificate, program certificate and badge event types."""
from ..events import EventType


class CertificateAwarded(EventType):
    key = "certificate.awarded"
    label = "Earned a certificate"
    category = "Certificates"
    description = "Fires when a course certificate becomes available (CERTIFICATE_CREATED), once per certificate: the LMS re-sending it when a certificate is re-saved is ignored."
    payload_fields = {
        "course_key": "the course",
        "mode": "the certificate's mode, e.g. verified",
        "grade": "the grade on the certificate",
        "download_url": "where the learner gets it",
    }


class CertificateRevoked(EventType):
    key = "certificate.revoked"
    label = "Certificate revoked"
    category = "Certificates"
    description = "Fires when a course certificate is revoked (CERTIFICATE_REVOKED), once per revocation."
    payload_fields = {
        "course_key": "the course",
    }


class ProgramCertificateAwarded(EventType):
    key = "program_certificate.awarded"
    label = "Earned a program certificate"
    category = "Certificates"
    description = "Fires when Credentials awards a program certificate (PROGRAM_CERTIFICATE_AWARDED, through the event bus); a re-delivery of the same message is one event."
    payload_fields = {
        "program_uuid": "the program's UUID",
        "program_title": "the program's title",
    }


class BadgeAwarded(EventType):
    key = "badge.awarded"
    label = "Earned a badge"
    category = "Certificates"
    description = "Fires when Credentials awards a badge (BADGE_AWARDED, through the event bus); a re-delivery of the same message is one event."
    payload_fields = {
        "badge_name": "the badge's name",
        "badge_uuid": "the badge's UUID",
    }
