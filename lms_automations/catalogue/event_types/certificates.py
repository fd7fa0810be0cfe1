"""Certificate, program certificate and badge event types."""
from ..events import EventType


class CertificateAwarded(EventType):
    key = "certificate.awarded"
    label = "Certificate awarded"
    category = "Certificates"
    description = "A certificate became downloadable; once per certificate (the LMS's re-saves are ignored)."
    payload_fields = {
        "course_key": "the course",
        "mode": "the certificate's mode",
        "grade": "the grade on the certificate",
        "download_url": "where to get it",
    }


class CertificateRevoked(EventType):
    key = "certificate.revoked"
    label = "Certificate revoked"
    category = "Certificates"
    description = "A certificate was revoked (CERTIFICATE_REVOKED)."
    payload_fields = {
        "course_key": "the course",
    }


class ProgramCertificateAwarded(EventType):
    key = "program_certificate.awarded"
    label = "Program certificate awarded"
    category = "Certificates"
    description = "A program certificate was awarded in Credentials (PROGRAM_CERTIFICATE_AWARDED, through the event bus)."
    payload_fields = {
        "program_uuid": "the program",
        "program_title": "its title",
    }


class BadgeAwarded(EventType):
    key = "badge.awarded"
    label = "Badge awarded"
    category = "Certificates"
    description = "A badge was awarded in Credentials (BADGE_AWARDED, through the event bus)."
    payload_fields = {
        "badge_name": "the badge",
        "badge_uuid": "its id",
    }
