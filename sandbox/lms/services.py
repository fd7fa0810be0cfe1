"""The public way to make things happen in the sandbox LMS (SPEC §9).

Each function does what the matching edx-platform code path does to the database and sends the same
openedx-events signals (and the same Django ``post_save`` of edx-completion), in the same order and with
the same repeats, so the plugin meets here what it will meet in Open edX. Each runs in one transaction,
like an edx-platform request (``ATOMIC_REQUESTS``): receivers run before the commit.

Signals go out through ``send_event`` with its default robustness: a receiver error is logged, not
raised, unless ``settings.DEBUG`` is on (as in an edx-platform devstack).
"""
import datetime

from completion.models import BlockCompletion
from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning.signals import (
    CERTIFICATE_REVOKED,
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_PASSING_STATUS_UPDATED,
    COURSE_UNENROLLMENT_COMPLETED,
    PERSISTENT_GRADE_SUMMARY_CHANGED,
    SESSION_LOGIN_COMPLETED,
    STUDENT_REGISTRATION_COMPLETED,
)
from waffle.models import Switch

from . import payloads
from .models import (
    Block,
    CertificateStatuses,
    CohortMembership,
    Course,
    CourseEnrollment,
    GeneratedCertificate,
    PersistentCourseGrade,
    ProblemScore,
    Unit,
    UserActivity,
    UserAttribute,
    UserProfile,
)
from .signals import PROBLEM_WEIGHTED_SCORE_CHANGED

#: Outline used when ``create_course`` gets no units: three units of two blocks, mixing the block types
#: automations care about. A block id is ``"<block_type>:<block_id>"``, or a bare id for an html block.
DEFAULT_OUTLINE = (
    ("html:welcome", "video:intro"),
    ("html:reading", "problem:quiz-1"),
    ("video:lecture", "problem:final-quiz"),
)
DEFAULT_BLOCK_TYPE = "html"
#: RequestCache namespace in which edx-toggles keeps switch values.
WAFFLE_REQUEST_CACHE = "WaffleNamespace"
#: Letter grade of a passing grade under Open edX's default grading policy (cutoff ``{"Pass": 0.5}``).
PASS_LETTER = "Pass"

_USER_FIELDS = {"first_name", "last_name", "is_active", "is_staff", "is_superuser", "date_joined"}
_PROFILE_FIELDS = {"name", "language", "country", "time_zone", "year_of_birth", "meta"}


class InvalidMode(ValueError):
    """The course does not offer this enrolment mode (edx-platform: ``CourseModeNotFoundError``)."""


# --- lookups -------------------------------------------------------------------------------------


def course_key_of(course_key):
    """A ``CourseKey`` from a key or its string; raises ``InvalidKeyError`` for anything else."""
    return course_key if isinstance(course_key, CourseKey) else CourseKey.from_string(str(course_key))


def get_course(course_key):
    key = course_key_of(course_key)
    try:
        return Course.objects.get(course_key=str(key))
    except Course.DoesNotExist:
        raise Course.DoesNotExist(f"The sandbox LMS has no course {key}.") from None


def get_enrollment(user, course_key):
    """The learner's enrolment row (active or not), or None."""
    return CourseEnrollment.objects.filter(user=user, course__course_key=str(course_key_of(course_key))).first()


def _check_mode(course, mode):
    if mode not in course.modes:
        raise InvalidMode(f"{course.course_key} offers {course.modes}, not {mode!r}.")


# --- accounts ------------------------------------------------------------------------------------


def create_learner(username, email=None, **profile):
    """Make a user with a profile, sending nothing (like a user loaded by a script, not registered).

    ``profile`` takes profile fields (name, language, country, time_zone, year_of_birth, meta), user
    fields (first_name, last_name, is_active, is_staff, is_superuser, date_joined), ``password`` and
    ``is_marketable`` (bool, stored as the ``is_marketable`` user attribute). ``name`` defaults to the
    username; first and last name stay empty unless given, as after an Open edX registration.
    """
    unknown = set(profile) - _USER_FIELDS - _PROFILE_FIELDS - {"password", "is_marketable"}
    if unknown:
        raise TypeError(f"create_learner() got unexpected fields: {', '.join(sorted(unknown))}")
    password = profile.pop("password", None)
    is_marketable = profile.pop("is_marketable", None)
    user_fields = {k: profile.pop(k) for k in list(profile) if k in _USER_FIELDS}
    profile.setdefault("name", username)
    with transaction.atomic():
        user = get_user_model()(username=username, email=email or f"{username}@example.com", **user_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        UserProfile.objects.create(user=user, **profile)
        if is_marketable is not None:
            UserAttribute.set_user_attribute(user, "is_marketable", "true" if is_marketable else "false")
    return user


def register(username, email):
    """Register through the LMS: user and profile, then ``STUDENT_REGISTRATION_COMPLETED``.

    The account is active at once, as on an LMS that skips e-mail activation (``SKIP_EMAIL_VALIDATION``);
    the profile name is the username, since the sandbox has no registration form.
    """
    with transaction.atomic():
        user = create_learner(username, email)
        STUDENT_REGISTRATION_COMPLETED.send_event(user=payloads.user_data(user))
    return user


def login(user):
    """Log in: ``last_login`` moves to now, then ``SESSION_LOGIN_COMPLETED``.

    Django's ``user_logged_in`` is not sent: there is no request or session in the sandbox.
    """
    with transaction.atomic():
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        SESSION_LOGIN_COMPLETED.send_event(user=payloads.user_data(user))
    return user


# --- courses -------------------------------------------------------------------------------------


def _parse_block(spec):
    block_type, sep, block_id = str(spec).partition(":")
    return (block_type, block_id) if sep else (DEFAULT_BLOCK_TYPE, block_type)


def create_course(course_key, units=None, modes=("audit", "verified"), start=None, end=None):
    """Create the course, or make an existing one match the arguments (its display name is kept).

    ``units`` is a list of units, each a list of block ids; ``"problem:quiz-1"`` makes a problem block
    ``block-v1:…+type@problem+block@quiz-1`` and a bare id an html block. Units are verticals with ids
    ``unit-1``, ``unit-2``… When ``units`` is None the course gets ``DEFAULT_OUTLINE``. Sends nothing
    (course publishing has no learner event).
    """
    key = course_key_of(course_key)
    outline = DEFAULT_OUTLINE if units is None else units
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(course_key=str(key)).first()
        if course is None:
            course = Course(course_key=str(key), display_name=f"{key.org} {key.course} {key.run}")
        course.org = key.org
        course.modes = list(modes)
        course.start = start
        course.end = end
        course.save()
        course.units.all().delete()
        for unit_position, block_ids in enumerate(outline, start=1):
            unit = Unit.objects.create(
                course=course,
                usage_key=str(key.make_usage_key("vertical", f"unit-{unit_position}")),
                display_name=f"Unit {unit_position}",
                position=unit_position,
            )
            Block.objects.bulk_create(
                Block(
                    unit=unit,
                    usage_key=str(key.make_usage_key(block_type, block_id)),
                    block_type=block_type,
                    position=block_position,
                )
                for block_position, (block_type, block_id) in enumerate(map(_parse_block, block_ids), start=1)
            )
    return course


# --- enrolment -----------------------------------------------------------------------------------


def _update_enrollment(enrollment, mode=None, is_active=None):
    """Apply a change and announce it, as ``CourseEnrollment.update_enrollment`` does; no change, no event.

    CHANGED on any change; on deactivation UNENROLLMENT_COMPLETED follows it.
    """
    activation_changed = is_active is not None and enrollment.is_active != is_active
    mode_changed = mode is not None and enrollment.mode != mode
    if not (activation_changed or mode_changed):
        return
    if activation_changed:
        enrollment.is_active = is_active
    if mode_changed:
        enrollment.mode = mode
    enrollment.save(update_fields=["is_active", "mode"])
    COURSE_ENROLLMENT_CHANGED.send_event(enrollment=payloads.enrollment_data(enrollment))
    if activation_changed and not enrollment.is_active:
        COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=payloads.enrollment_data(enrollment))


def _activate(enrollment, mode):
    """``CourseEnrollment.enroll(mode=…)``: activate in ``mode`` (CHANGED if anything changed), then CREATED."""
    _update_enrollment(enrollment, mode=mode, is_active=True)
    COURSE_ENROLLMENT_CREATED.send_event(enrollment=payloads.enrollment_data(enrollment))


def enroll(user, course_key, mode="audit"):
    """Enrol ``user`` in ``mode``, with edx-platform's sequences of events.

    Not yet enrolled (no row, or an inactive one): the enrolment API path (``add_enrollment``), which
    enrols in the course's default mode and then switches mode —
    CHANGED(default, active) → CREATED(default) → CHANGED(mode) when ``mode`` is not the default,
    CHANGED → CREATED when it is.
    Already active: ``CourseEnrollment.enroll(mode=…)`` again, as instructor, bulk and fulfilment paths
    do — CREATED once more (the real duplicate), preceded by CHANGED(mode) only if the mode differs.
    Raises ``InvalidMode`` if the course does not offer ``mode``.
    """
    course = get_course(course_key)
    _check_mode(course, mode)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().filter(user=user, course=course).first()
        if enrollment is not None and enrollment.is_active:
            _activate(enrollment, mode)
            return enrollment
        if enrollment is None:
            enrollment = CourseEnrollment.objects.create(
                user=user, course=course, mode=course.default_mode, is_active=False
            )
        _activate(enrollment, course.default_mode)
        _update_enrollment(enrollment, mode=mode)
    return enrollment


def unenroll(user, course_key):
    """Deactivate: CHANGED(is_active=False) → COURSE_UNENROLLMENT_COMPLETED.

    Returns the enrolment, or None if there is none; an already inactive enrolment sends nothing.
    """
    course = get_course(course_key)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().filter(user=user, course=course).first()
        if enrollment is not None:
            _update_enrollment(enrollment, is_active=False)
    return enrollment


def change_mode(user, course_key, mode):
    """Switch the enrolment's mode (upgrade or downgrade): CHANGED only if the mode differs.

    Raises ``CourseEnrollment.DoesNotExist`` without an enrolment and ``InvalidMode`` for a mode the
    course does not offer.
    """
    course = get_course(course_key)
    _check_mode(course, mode)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().get(user=user, course=course)
        _update_enrollment(enrollment, mode=mode)
    return enrollment


# --- progress ------------------------------------------------------------------------------------


def _ensure_completion_tracking():
    """Create edx-completion's switch, on, if it is missing (e.g. a flushed test database).

    An operator's explicit "off" is kept: ``submit_completion`` then raises, as in the LMS.
    """
    if ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled():
        return
    name = ENABLE_COMPLETION_TRACKING_SWITCH.name
    switch, _created = Switch.objects.get_or_create(name=name, defaults={"active": True})
    if switch.active:
        # Both caches still say "off": waffle's flushes only on commit, and edx-toggles keeps values for
        # the rest of the request (here: the thread).
        switch.flush()
        RequestCache(WAFFLE_REQUEST_CACHE).clear()


def complete_block(user, block_key):
    """Mark a block complete through edx-completion, and count the day as active in the course.

    ``BlockCompletion.objects.submit_completion(user, key, 1.0)``: Django's ``post_save`` fires when the
    row is created or its value changes; completing a complete block saves (and sends) nothing.
    Returns the ``BlockCompletion``.
    """
    usage_key = block_key if isinstance(block_key, UsageKey) else UsageKey.from_string(str(block_key))
    with transaction.atomic():
        _ensure_completion_tracking()
        completion, _created = BlockCompletion.objects.submit_completion(user, usage_key, 1.0)
        record_activity(user, usage_key.course_key)
    return completion


def score_problem(user, block_key, earned, possible=1.0):
    """Score an attempt at a problem, as the LMS does when a learner submits one.

    The score is stored (edx-platform: the StudentModule's grade), then
    ``PROBLEM_WEIGHTED_SCORE_CHANGED`` is sent — on every attempt, also one that repeats the score —
    then the problem is marked complete, as edx-completion's receiver of that signal does (when
    completion tracking is on), and the day counts as active. Grades are not recomputed: in the LMS
    that is a Celery task afterwards; call ``set_grade`` for it. Returns the ``ProblemScore``.
    """
    usage_key = block_key if isinstance(block_key, UsageKey) else UsageKey.from_string(str(block_key))
    earned, possible = float(earned), float(possible)
    if possible <= 0 or not 0 <= earned <= possible:
        raise ValueError(f"a score is 0 ≤ earned ≤ possible with possible > 0, got {earned:g}/{possible:g}")
    try:
        block = Block.objects.get(usage_key=str(usage_key))
    except Block.DoesNotExist:
        raise Block.DoesNotExist(f"The sandbox LMS has no block {usage_key}.") from None
    with transaction.atomic():
        score, _created = ProblemScore.objects.update_or_create(
            user=user, block=block, defaults={"earned": earned, "possible": possible})
        PROBLEM_WEIGHTED_SCORE_CHANGED.send(
            sender=None, weighted_earned=earned, weighted_possible=possible, user_id=user.pk,
            anonymous_user_id=None, course_id=str(usage_key.course_key), usage_id=str(usage_key),
            only_if_higher=False, modified=score.modified, score_db_table="courseware_studentmodule",
            score_deleted=False)
        _ensure_completion_tracking()
        if ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled():
            BlockCompletion.objects.submit_completion(user, usage_key, 1.0)
        record_activity(user, usage_key.course_key)
    return score


def record_activity(user, course_key, at=None):
    """Note that the learner was active in the course on ``at``'s day (default today); sends nothing.

    One row per user, course and day (in ``settings.TIME_ZONE``), as course_goals' ``UserActivity``.
    """
    day = timezone.localdate(at or timezone.now())
    activity, _created = UserActivity.objects.get_or_create(
        user=user, course_key=str(course_key_of(course_key)), date=day
    )
    return activity


def move_activity_back(user, course_key, days):
    """Make the learner look quiet: their activity days in the course move ``days`` back (a learner
    with none gets one, ``days`` ago). Sends nothing: noticing the silence is the plugin's
    inactivity scan's job, as in Open edX. Returns the learner's last active day in the course."""
    days = int(days)
    if days < 1:
        raise ValueError(f"days is at least 1, got {days}")
    key = str(course_key_of(course_key))
    with transaction.atomic():
        rows = list(UserActivity.objects.select_for_update().filter(user=user, course_key=key).order_by("date"))
        if not rows:
            return record_activity(user, key, at=timezone.now() - datetime.timedelta(days=days)).date
        for row in rows:  # oldest first, so no two rows ever share a day
            row.date -= datetime.timedelta(days=days)
            row.save(update_fields=["date"])
    return rows[-1].date


# --- grades and certificates ---------------------------------------------------------------------


def set_grade(user, course_key, percent, passed):
    """Persist a recomputed course grade, as the grades app does after every recalculation.

    PERSISTENT_GRADE_SUMMARY_CHANGED, then COURSE_PASSING_STATUS_UPDATED(is_passing=passed) — both on
    every call: the LMS re-announces the passing status on each recompute, not only when it flips.
    ``percent`` is a fraction (0.0–1.0). ``passed_timestamp`` is set the first time the grade passes
    and never cleared.
    """
    percent = float(percent)
    if not 0.0 <= percent <= 1.0:
        raise ValueError(f"percent is a fraction between 0.0 and 1.0, got {percent}")
    course = get_course(course_key)
    with transaction.atomic():
        grade, _created = PersistentCourseGrade.objects.update_or_create(
            user=user,
            course=course,
            defaults={"percent_grade": percent, "letter_grade": PASS_LETTER if passed else ""},
        )
        if passed and grade.passed_timestamp is None:
            grade.passed_timestamp = timezone.now()
            grade.save(update_fields=["passed_timestamp", "modified"])
        PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=payloads.grade_data(grade))
        COURSE_PASSING_STATUS_UPDATED.send_event(
            course_passing_status=payloads.passing_status_data(user, course, bool(passed))
        )
    return grade


def _grade_snapshot(user, course):
    """The current grade as a certificate records it ("0.85"), or empty without a grade."""
    grade = PersistentCourseGrade.objects.filter(user=user, course=course).first()
    return "" if grade is None else str(round(grade.percent_grade, 2))


def award_certificate(user, course_key):
    """Issue (or re-issue) a downloadable certificate in one save: CERTIFICATE_CHANGED → CERTIFICATE_CREATED.

    Awarding again saves again and so sends CREATED again, as certificate regeneration does in Open edX.
    The mode is the enrolment's (the course default without one), the grade the current grade.
    """
    course = get_course(course_key)
    with transaction.atomic():
        enrollment = get_enrollment(user, course.course_key)
        certificate = GeneratedCertificate.objects.select_for_update().filter(user=user, course=course).first()
        certificate = certificate or GeneratedCertificate(user=user, course=course)
        certificate.status = CertificateStatuses.downloadable
        certificate.mode = enrollment.mode if enrollment else course.default_mode
        certificate.grade = _grade_snapshot(user, course)
        certificate.download_url = ""
        certificate.save()
    return certificate


def revoke_certificate(user, course_key):
    """Mark the certificate not passing: its save sends CERTIFICATE_CHANGED, then CERTIFICATE_REVOKED.

    Returns the certificate, or None (and sends nothing) when the learner has none.
    """
    course = get_course(course_key)
    with transaction.atomic():
        certificate = GeneratedCertificate.objects.select_for_update().filter(user=user, course=course).first()
        if certificate is None:
            return None
        certificate.status = CertificateStatuses.notpassing
        certificate.grade = _grade_snapshot(user, course)
        certificate.download_url = ""
        certificate.save()
        CERTIFICATE_REVOKED.send_event(certificate=payloads.certificate_data(certificate), time=certificate.modified)
    return certificate


# --- cohorts -------------------------------------------------------------------------------------


def join_cohort(user, course_key, name):
    """Put the learner in cohort ``name`` of the course, moving them out of any other.

    The membership's save sends COHORT_MEMBERSHIP_CHANGED *before* the row is written. Joining the
    cohort the learner is already in changes and sends nothing (Open edX refuses it, also silently
    for receivers).
    """
    course = get_course(course_key)
    with transaction.atomic():
        membership = CohortMembership.objects.select_for_update().filter(user=user, course=course).first()
        if membership is not None and membership.name == name:
            return membership
        membership = membership or CohortMembership(user=user, course=course)
        membership.name = name
        membership.save()
    return membership
