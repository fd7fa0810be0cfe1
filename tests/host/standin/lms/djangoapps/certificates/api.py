"""Stand-in of ``lms.djangoapps.certificates.api``."""
import standin_state
from opaque_keys.edx.keys import CourseKey
from standin_rows import CertificateRow


def get_certificate_for_user_id(user, course_id):
    assert isinstance(course_id, CourseKey) and hasattr(user, "pk"), "(user, course_key)"
    standin_state.LMS.record("get_certificate_for_user_id", user, course_id)
    return standin_state.LMS.certificates.get((user.pk, course_id))


def create_or_update_certificate_allowlist_entry(user, course_key, notes, enabled=True):
    assert isinstance(course_key, CourseKey)
    standin_state.LMS.record("create_or_update_certificate_allowlist_entry", user, course_key, notes, enabled=enabled)
    standin_state.LMS.allowlist.append((user.pk, course_key))
    return object(), True


def generate_certificate_task(user, course_key, generation_mode=None, delay_seconds=None):
    assert isinstance(course_key, CourseKey)
    lms = standin_state.LMS
    lms.record("generate_certificate_task", user, course_key, generation_mode=generation_mode)
    if (user.pk, course_key) in lms.eligible or (user.pk, course_key) in lms.allowlist:
        lms.certificates[(user.pk, course_key)] = CertificateRow("downloadable", "verified", "0.9")
        return True
    return False
