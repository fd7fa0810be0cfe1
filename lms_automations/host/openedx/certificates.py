"""Certificates through ``lms.djangoapps.certificates.api``: the LMS decides eligibility."""
from ...engine.errors import PermanentError
from .errors import course_key_of, filter_refusal, host_call, user_for


class CertificatesMixin:
    def get_certificate(self, user_id, course_key):
        from lms.djangoapps.certificates.api import get_certificate_for_user_id  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        with host_call():
            cert = get_certificate_for_user_id(user_for(user_id), key)
        if cert is None:
            return None
        return {"status": cert.status, "mode": cert.mode, "grade": cert.grade, "download_url": cert.download_url}

    def generate_certificate(self, user_id, course_key, *, allowlist=False):
        """Asks the LMS to generate the certificate; ``allowlist`` first adds the learner to the
        course's allowlist, which lifts the passing-grade requirement (and is visible to the course team)."""
        from lms.djangoapps.certificates import api  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        with host_call({**_generation_not_allowed(), **filter_refusal("the certificate")}):
            if allowlist:
                api.create_or_update_certificate_allowlist_entry(
                    user, key, "Added by an automation (lms_automations)", enabled=True)
            generated = api.generate_certificate_task(user, key, generation_mode="batch")
        if not generated:
            raise PermanentError("the LMS found the learner not eligible for a certificate "
                                 "(passing grade, eligible mode, identity verification); allowlist bypasses the grade")


def _generation_not_allowed():
    """Raised by the generation handler when the LMS's certificate filter says no (where it exists)."""
    try:
        from lms.djangoapps.certificates.generation_handler import (  # pylint: disable=import-outside-toplevel
            CertificateGenerationNotAllowed,
        )
    except ImportError:
        return {}
    return {CertificateGenerationNotAllowed: "the LMS does not allow this certificate ({error})"}
