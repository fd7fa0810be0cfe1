"""The sandbox's host backend: the plugin's host adapter over the stand-in LMS.

It answers from the sandbox models and acts through ``sandbox.lms.services``, so actions emit the
same signals a real LMS would (an enrolment made by an automation is seen by other automations).
"""
import datetime
import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from opaque_keys import InvalidKeyError

from lms_automations.engine.errors import PermanentError
from lms_automations.host.base import HostBackend, extension_reason

from . import dates, models, services

FREE_MODES = ("audit", "honor")


def _user(user_id):
    try:
        return get_user_model().objects.get(pk=user_id)
    except get_user_model().DoesNotExist:
        raise PermanentError(f"there is no learner with id {user_id}") from None


def _active_enrollments(course_keys=None, after_user_id=None, upto_user_id=None):
    """Active enrolments (of ``course_keys``, else every course) of learners with ids in (after, upto]."""
    rows = models.CourseEnrollment.objects.filter(is_active=True)
    if course_keys is not None:
        rows = rows.filter(course__course_key__in=[str(key) for key in course_keys])
    if after_user_id is not None:
        rows = rows.filter(user_id__gt=after_user_id)
    if upto_user_id is not None:
        rows = rows.filter(user_id__lte=upto_user_id)
    return rows


def _last_active_day():
    """The learner's last active day in the course: one backward step on the (user, course_key,
    date) unique index."""
    return (models.UserActivity.objects.filter(user_id=OuterRef("user_id"), course_key=OuterRef("course_key"))
            .order_by("-date").values("date")[:1])


def _course_key():
    # On MariaDB the course key by a subquery, not a join: the enrolments stay the only table
    # scanned, so the learner range is read on the (user, course) index (joined, MariaDB walks
    # each course's enrolments for every range). PostgreSQL plans the join well (a hash of the
    # courses) and would run the subquery for every enrolment.
    if connection.vendor != "mysql":
        return F("course__course_key")
    return Subquery(models.Course.objects.filter(pk=OuterRef("course_id")).values("course_key")[:1])


def _with_last_activity(enrollments):
    """``user_id``, ``course_key``, ``last_activity_at`` (the last active day, else the enrolment)."""
    return (enrollments.order_by().annotate(course_key=_course_key())
            .annotate(last_activity_at=Coalesce(Cast(Subquery(_last_active_day()), DateTimeField()), "created"))
            .values("user_id", "course_key", "last_activity_at"))


def windowed_activity(enrollments, after_user_id, upto_user_id, spans):
    """The enrolments of ``enrollments`` whose last activity may lie in one of ``spans`` (``[(after,
    upto)]`` instants). The last activity is the last active day, else the enrolment's instant, so
    it lies in a span only for enrolments made in one, or last active on a day in one (a day's
    midnight lies in ``(after, upto]`` exactly when the day lies in ``(after's day, upto's day]``): two
    disjoint parts, the second without the enrolments of the first; the scan's own window filter
    keeps the exact ones. Each part reads only its candidates — the enrolments made in the spans (on the
    ``created`` index), the activity days of the spans within the learner range (on the (user,
    course_key, date) index: edx-platform's table has no index on the date alone) — and runs the
    per-enrolment lookups for those only."""
    spans = list(spans)
    if not spans:
        return _with_last_activity(enrollments.none())

    def made_in_spans(field):
        return reduce(operator.or_, (Q(**{f"{field}__lte": upto}) & (Q(**{f"{field}__gt": after}) if after else Q())
                                     for after, upto in spans))

    active = reduce(operator.or_, (Q(date__lte=_utc_date(upto)) & (Q(date__gt=_utc_date(after)) if after else Q())
                                   for after, upto in spans))
    days = models.UserActivity.objects.order_by().filter(active)
    if after_user_id is not None:
        days = days.filter(user_id__gt=after_user_id)
    if upto_user_id is not None:
        days = days.filter(user_id__lte=upto_user_id)
    # The day's active enrolment made outside the spans, by one scalar subquery (over the course's id
    # by another), not an EXISTS over a join: MariaDB turns that into a semi-join driven by the
    # courses, reading every activity day of each course for every range (and refuses an EXISTS
    # with a subquery inside).
    course_id = Subquery(models.Course.objects.filter(course_key=OuterRef(OuterRef("course_key"))).values("pk")[:1])
    enrolled_before = Subquery(enrollments.filter(user_id=OuterRef("user_id"), course_id=course_id)
                               .exclude(made_in_spans("created")).values("pk")[:1])
    last_days = (days.annotate(last_day=Subquery(_last_active_day())).filter(date=F("last_day"))
                 .annotate(enrolment=enrolled_before).filter(enrolment__isnull=False)
                 .annotate(last_activity_at=Cast("date", DateTimeField()))
                 .values("user_id", "course_key", "last_activity_at"))
    return _with_last_activity(enrollments.filter(made_in_spans("created"))).union(last_days, all=True)


def _utc_date(moment):
    return moment.astimezone(datetime.UTC).date()


def _course(course_key):
    try:
        return services.get_course(course_key)
    except models.Course.DoesNotExist:
        raise PermanentError(f"the LMS has no course {course_key}") from None
    except InvalidKeyError as exc:
        raise PermanentError(f"{course_key!r} is not a course key") from exc


class SandboxHost(HostBackend):
    name = "sandbox"

    # --- learners -------------------------------------------------------------------------------
    def get_learner(self, user_id):
        user = get_user_model().objects.filter(pk=user_id).select_related("profile").first()
        if user is None:
            return None
        profile = getattr(user, "profile", None)
        return {
            "id": user.pk, "username": user.username, "email": user.email,
            "name": getattr(profile, "name", "") or user.get_full_name(),
            "first_name": user.first_name, "last_name": user.last_name,
            "language": getattr(profile, "language", ""), "country": getattr(profile, "country", ""),
            "time_zone": getattr(profile, "time_zone", ""), "date_joined": user.date_joined,
            "last_login": user.last_login, "is_active": user.is_active,
            "profile_fields": profile.get_meta() if profile else {},
        }

    def is_marketable(self, user_id):
        value = (
            models.UserAttribute.objects.filter(user_id=user_id, name="is_marketable")
            .values_list("value", flat=True)
            .first()
        )
        return None if value is None else value.lower() == "true"

    def staff_course_keys(self, user):
        return None if user.is_superuser else set()

    # --- courses --------------------------------------------------------------------------------
    def get_course(self, course_key):
        course = models.Course.objects.filter(course_key=str(course_key)).first()
        if course is None:
            return None
        return {"course_key": course.course_key, "display_name": course.display_name, "org": course.org,
                "start": course.start, "end": course.end}

    def get_course_outline(self, course_key):
        course = _course(course_key)
        return [
            {"key": unit.usage_key, "display_name": unit.display_name,
             "blocks": [block.usage_key for block in unit.blocks.all()]}
            for unit in course.units.prefetch_related("blocks")
        ]

    # --- enrolments -----------------------------------------------------------------------------
    def get_enrollment(self, user_id, course_key):
        row = models.CourseEnrollment.objects.filter(user_id=user_id, course__course_key=str(course_key)).first()
        return None if row is None else {"mode": row.mode, "is_active": row.is_active, "created": row.created}

    def enrolled_user_ids(self, course_keys):
        return set(models.CourseEnrollment.objects.filter(course__course_key__in=[str(k) for k in course_keys],
                                                          is_active=True).values_list("user_id", flat=True))

    def active_course_keys(self, user_id):
        return set(models.CourseEnrollment.objects.filter(user_id=user_id, is_active=True)
                   .values_list("course__course_key", flat=True))

    def enroll(self, user_id, course_key, mode, *, force=False):
        course = _course(course_key)
        current = self.get_enrollment(user_id, course_key)
        if current and current["is_active"] and current["mode"] not in FREE_MODES and mode in FREE_MODES:
            return current  # an existing paid enrolment is never downgraded
        if course.end and course.end < timezone.now() and not force:
            raise PermanentError(f"enrolment in {course_key} is closed: the course ended on {course.end:%Y-%m-%d}")
        try:
            services.enroll(_user(user_id), course_key, mode=mode)
        except services.InvalidMode as exc:
            raise PermanentError(f"{course_key} does not offer the {mode!r} mode") from exc
        return self.get_enrollment(user_id, course_key)

    def unenroll(self, user_id, course_key):
        _course(course_key)
        services.unenroll(_user(user_id), course_key)

    def change_mode(self, user_id, course_key, mode):
        if not self.get_enrollment(user_id, course_key):
            raise PermanentError(f"the learner is not enrolled in {course_key}")
        try:
            services.change_mode(_user(user_id), course_key, mode)
        except services.InvalidMode as exc:
            raise PermanentError(f"{course_key} does not offer the {mode!r} mode") from exc

    def access_expires_at(self, user_id, course_key):
        _course(course_key)
        return dates.access_expires_at(_user(user_id), course_key)

    def access_ends_between(self, after, upto):
        """A queryset (the plugin's database): the access scan inserts its events from it in SQL."""
        return dates.access_ends_query(after, upto)

    def upgrade_deadline(self, user_id, course_key):
        course = _course(course_key)
        return course.end - datetime.timedelta(days=10) if course.end else None

    # --- progress, grades, certificates ---------------------------------------------------------
    def completed_blocks(self, user_id, course_key):
        from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel

        keys = BlockCompletion.objects.filter(
            user_id=user_id, context_key=str(course_key), completion__gte=1.0
        ).values_list("block_key", flat=True)
        return {str(key) for key in keys}

    def mark_blocks_complete(self, user_id, course_key, block_keys):
        user = _user(user_id)
        known = {str(key) for key in _course(course_key).block_keys()}
        unknown = [str(key) for key in block_keys if str(key) not in known]
        if unknown:
            raise PermanentError(f"not blocks of {course_key}: {', '.join(unknown)}")
        for block_key in block_keys:
            services.complete_block(user, block_key)

    def last_activity(self, user_id, course_key):
        rows = models.UserActivity.objects.filter(user_id=user_id, course_key=str(course_key))
        last = rows.order_by("-date").values_list("date", flat=True).first()
        return None if last is None else datetime.datetime.combine(last, datetime.time(), tzinfo=datetime.UTC)

    def enrollment_user_id_bound(self, after_user_id, count, course_keys=None):
        rows = _active_enrollments(course_keys, after_user_id).order_by("user_id").values_list("user_id", flat=True)
        return next(iter(rows[count - 1:count]), None)

    def enrolled_user_ids_between(self, course_keys, after_user_id=None, upto_user_id=None, limit=None):
        rows = (_active_enrollments(course_keys, after_user_id, upto_user_id).order_by("user_id")
                .values_list("user_id", flat=True).distinct())
        return list(rows[:limit] if limit else rows)

    def enrollment_activity(self, after_user_id=None, upto_user_id=None, spans=None):
        """A queryset over the sandbox tables (the plugin's database): the scan inserts from it in SQL.

        With ``spans`` only the candidates are read (``windowed_activity``), so a day whose windows
        are one day wide reads the enrolments made, and the activity days, in those days: not every
        enrolment with its last active day."""
        if spans is not None:
            return windowed_activity(_active_enrollments(None, after_user_id, upto_user_id), after_user_id,
                                     upto_user_id, spans)
        return _with_last_activity(_active_enrollments(None, after_user_id, upto_user_id).order_by())

    def get_grade(self, user_id, course_key):
        grade = models.PersistentCourseGrade.objects.filter(
            user_id=user_id, course__course_key=str(course_key)).first()
        if grade is None:
            return None
        return {"percent": round(grade.percent_grade * 100, 2), "letter_grade": grade.letter_grade,
                "passed": grade.passed_timestamp is not None}

    def get_certificate(self, user_id, course_key):
        cert = models.GeneratedCertificate.objects.filter(
            user_id=user_id, course__course_key=str(course_key)).first()
        if cert is None:
            return None
        return {"status": cert.status, "mode": cert.mode, "grade": cert.grade, "download_url": cert.download_url}

    def generate_certificate(self, user_id, course_key, *, allowlist=False):
        grade = self.get_grade(user_id, course_key)
        if not allowlist and not (grade and grade["passed"]):
            raise PermanentError("the learner has not passed, so no certificate was generated (allowlist bypasses)")
        services.award_certificate(_user(user_id), course_key)

    def extend_due_dates(self, user_id, course_key, days, block_keys=None, idempotency_key=None):
        """Personal due dates ``days`` later, as edx-when's overrides (the course's dates stay); once
        per step with ``idempotency_key`` (``HostBackend.extend_due_dates``)."""
        _course(course_key)
        try:
            return dates.extend_due_dates(_user(user_id), course_key, days, block_keys,
                                          reason=extension_reason(days, idempotency_key),
                                          once=bool(idempotency_key))
        except dates.MissingDateError as error:
            raise PermanentError(f"no due date to extend on {error}") from None

    # --- cohorts --------------------------------------------------------------------------------
    def get_cohort(self, user_id, course_key):
        return (
            models.CohortMembership.objects.filter(user_id=user_id, course__course_key=str(course_key))
            .values_list("name", flat=True)
            .first()
        )

    def add_to_cohort(self, user_id, course_key, cohort):
        _course(course_key)
        services.join_cohort(_user(user_id), course_key, cohort)

    def remove_from_cohort(self, user_id, course_key, cohort):
        deleted, _ = models.CohortMembership.objects.filter(
            user_id=user_id, course__course_key=str(course_key), name=cohort).delete()
        if not deleted:
            raise PermanentError(f"the learner is not in the cohort {cohort!r} of {course_key}")

    # --- messages -------------------------------------------------------------------------------
    def send_notification(self, user_id, course_key, notification_type, context):
        raise PermanentError("the sandbox LMS has no in-platform notifications")
