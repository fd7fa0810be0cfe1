"""Receivers: each turns one host occurrence into an ``Event`` row, and nothing else."""
# Placeholder names until the receivers land; connect_plugin_receivers resolves them here.
def _todo(**kwargs):
    return None


on_registration_completed = on_session_login_completed = on_enrollment_created = _todo
on_enrollment_changed = on_unenrollment_completed = on_persistent_grade_changed = _todo
on_passing_status_updated = on_certificate_created = on_certificate_revoked = _todo
on_cohort_membership_changed = on_block_completion_saved = _todo
