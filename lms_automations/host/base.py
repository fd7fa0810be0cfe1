"""The interface between the engine and the LMS.

The engine knows nothing about Open edX; this class is all it may ask. Keys travel as strings.
Methods that read return plain data (dicts, lists, numbers, datetimes); methods that act raise
``engine.errors.PermanentError`` / ``TransientError`` with a message a course team understands.
A backend that cannot do something raises ``PermanentError`` naming what is missing.
"""
from ..engine.errors import PermanentError


def extension_reason(days, idempotency_key=None):
    """The reason a due-date override is written with: staff read it on the LMS's extension list,
    and with the step's key in it a retried step recognises the overrides it already wrote."""
    reason = f"lms_automations: extended by {days} days"
    return f"{reason} (step {idempotency_key})" if idempotency_key else reason


class HostBackend:
    """Base class of host backends; every method must be overridden by a complete backend."""

    name = "abstract"

    def _missing(self, what):
        raise PermanentError(f"the {self.name} host backend cannot {what}")

    # --- learners -------------------------------------------------------------------------------
    def get_learner(self, user_id):
        """``{"id", "username", "email", "name", "first_name", "last_name", "language", "country",
        "time_zone", "date_joined", "last_login", "is_active", "profile_fields"}`` or None if there is no
        such learner. ``profile_fields`` holds the LMS's extended profile (custom registration fields)."""
        self._missing("read learners")

    def is_marketable(self, user_id):
        """The host's own marketing consent (True / False), or None when the host records none."""
        return None

    def user_id_for_anonymous_id(self, anonymous_user_id):
        """The learner behind a course-specific anonymous id (ora2 names learners so), or None."""
        return None

    def staff_course_keys(self, user):
        """Course keys whose staff ``user`` is (None means all: a global staff member)."""
        self._missing("read course staff roles")

    def staff_orgs(self, user):
        """Organisations where ``user`` holds a course team role for every course of the org."""
        return set()

    # --- courses --------------------------------------------------------------------------------
    def get_course(self, course_key):
        """``{"course_key", "display_name", "org", "start", "end"}`` or None."""
        self._missing("read courses")

    def get_course_outline(self, course_key):
        """Units (lessons) in order: ``[{"key", "display_name", "blocks": [block keys]}]``."""
        self._missing("read course outlines")

    # --- enrolments -----------------------------------------------------------------------------
    def get_enrollment(self, user_id, course_key):
        """``{"mode", "is_active", "created"}`` or None."""
        self._missing("read enrolments")

    def enrolled_user_ids(self, course_keys):
        """Ids of the learners actively enrolled in any of ``course_keys`` (staff's bulk start)."""
        self._missing("list a course's learners")

    def enrollment_user_id_bound(self, after_user_id, count, course_keys=None):
        """Keyset pagination over active enrolments (of ``course_keys``, else every course) in learner
        id order: the id of the learner holding the ``count``-th such enrolment after learner
        ``after_user_id`` (None: from the first), or None when fewer remain. The range
        ``(after_user_id, bound]`` never splits a learner's enrolments."""
        self._missing("page through enrolments")

    def enrolled_user_ids_between(self, course_keys, after_user_id=None, upto_user_id=None, limit=None):
        """Ids of learners actively enrolled in any of ``course_keys`` with ids in
        ``(after_user_id, upto_user_id]``, ascending, at most ``limit``: one page of a bulk start."""
        self._missing("list a course's learners")

    def active_course_keys(self, user_id):
        """Keys of the courses the learner is actively enrolled in."""
        self._missing("list a learner's enrolments")

    def enroll(self, user_id, course_key, mode, *, force=False):
        self._missing("enrol learners")

    def unenroll(self, user_id, course_key):
        self._missing("unenrol learners")

    def change_mode(self, user_id, course_key, mode):
        self._missing("change enrolment modes")

    def access_expires_at(self, user_id, course_key):
        """When the learner's access to the course ends (audit expiry, else course end), or None."""
        self._missing("read access expiry")

    def access_ends_between(self, after, upto):
        """The active enrolments whose access ended in ``(after, upto]`` by a date: dicts ``{"user_id",
        "course_key", "mode", "ended_at", "reason"}``, reason ``audit_expired`` (course duration limits)
        or ``course_ended``, whichever came first (the daily access scan). Either an iterable of those
        dicts, or a ``QuerySet`` over the plugin's database whose ``values()`` rows have those keys
        (the scan inserts its events from it in one ``INSERT … SELECT``)."""
        self._missing("list access ends")

    def upgrade_deadline(self, user_id, course_key):
        self._missing("read upgrade deadlines")

    # --- progress, grades, certificates ---------------------------------------------------------
    def completed_blocks(self, user_id, course_key):
        """The set of block keys the learner has completed."""
        self._missing("read completions")

    def mark_blocks_complete(self, user_id, course_key, block_keys):
        self._missing("mark blocks complete")

    def last_activity(self, user_id, course_key):
        self._missing("read learner activity")

    def enrollment_activity(self, after_user_id=None, upto_user_id=None, spans=None):
        """The active enrolments of learners with ids in ``(after_user_id, upto_user_id]`` (None: no
        bound) with the instant the learner was last active in the course, else enrolled — for the
        daily inactivity scan, which asks one range of learners at a time. Either a ``QuerySet`` over
        the plugin's database whose ``values()`` rows are ``user_id``, ``course_key`` (text) and
        ``last_activity_at`` (the scan inserts from it in one ``INSERT … SELECT``), or an iterable of
        ``(user_id, course_key, last_activity_at)`` tuples streamed from a cursor (the scan writes them
        in one bulk insert).

        ``spans`` (``[(after, upto)]`` instants, ``after`` None for no lower bound): only the
        enrolments whose last activity lies in ``(after, upto]`` of a span are asked for — the
        backend reads the enrolments made, and the activity days, in the spans, and their last
        activity only for those — so the daily scan reads the candidates of its windows, not every
        enrolment (ADR 0025). A backend may answer more (the scan keeps the exact ones), never
        fewer; None asks for every enrolment."""
        self._missing("list learner activity")

    def get_grade(self, user_id, course_key):
        """``{"percent" (0–100), "letter_grade", "passed"}`` or None."""
        self._missing("read grades")

    def get_certificate(self, user_id, course_key):
        """``{"status", "mode", "grade", "download_url"}`` or None."""
        self._missing("read certificates")

    def generate_certificate(self, user_id, course_key, *, allowlist=False):
        self._missing("generate certificates")

    def extend_due_dates(self, user_id, course_key, days, block_keys=None, idempotency_key=None):
        """Personal due dates ``days`` later for every dated block or ``block_keys``; returns how many.

        With ``idempotency_key`` (the step's) it happens once per step: each override carries the key
        in its reason (``extension_reason``), and a block that already has this step's override is left
        as it is, so a step retried after the LMS call sets the same date instead of adding the days
        again (the LMS can only add to the current date)."""
        self._missing("extend due dates")

    # --- cohorts --------------------------------------------------------------------------------
    def get_cohort(self, user_id, course_key):
        self._missing("read cohorts")

    def add_to_cohort(self, user_id, course_key, cohort):
        self._missing("add learners to cohorts")

    def remove_from_cohort(self, user_id, course_key, cohort):
        self._missing("remove learners from cohorts")

    # --- messages -------------------------------------------------------------------------------
    def send_email(self, *, to_user_id=None, to_address=None, subject, body_html, body_text="", from_email=None,
                   reply_to=None, message_id, transactional, headers=None):
        """Every host sends through edx-ace (the plugin's ``AutomationEmail`` message type), so ACE's
        channels, policies and delivery reports apply; the learner's language picks the template."""
        from ..messages import send_ace_email  # pylint: disable=import-outside-toplevel

        learner = self.get_learner(to_user_id) if to_user_id else None
        address = to_address or (learner or {}).get("email")
        if not address:
            raise PermanentError("the recipient has no e-mail address")
        send_ace_email(
            user_id=to_user_id, address=address, subject=subject, body_html=body_html, body_text=body_text,
            from_email=from_email, reply_to=reply_to, message_id=message_id, transactional=transactional,
            language=(learner or {}).get("language") or None, headers=headers,
        )

    def send_notification(self, user_id, course_key, notification_type, context):
        self._missing("send in-platform notifications")
