"""Due dates and access expiry in the sandbox LMS, as edx-when and course duration limits keep them.

Due dates: a course-wide ``ContentDate`` per dated block (Studio's due date) and, per learner, the
newest ``UserDate`` over it (a personal extension, as the instructor dashboard and
``edx_when.api.set_date_for_block(..., user=...)`` write). A learner's date is their own if they
have one, else the course's. The LMS sends no signal when either changes.

Access expiry: an audit enrolment in a course that offers verified loses access
``AUDIT_ACCESS_WEEKS`` after ``max(enrolment, course start)`` (course duration limits, at their
shortest), or at the course end if that comes first; other enrolments at the course end. Nothing is
sent when access ends: the plugin's daily access scan notices, as in Open edX.
"""
import datetime

from django.db import transaction
from django.db.models import Case, CharField, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .models import ContentDate, Course, CourseEnrollment, UserDate

#: Course duration limits' shortest access (``COURSE_ACCESS_DURATION_MIN_WEEKS`` in edx-platform).
AUDIT_ACCESS_WEEKS = 4
AUDIT_ACCESS = datetime.timedelta(weeks=AUDIT_ACCESS_WEEKS)


class MissingDateError(ValueError):
    """A block has no course-wide date to override (edx-when's ``MissingDateError``)."""


def _course(course_key):
    return Course.objects.get(course_key=str(course_key))


def set_due_date(course_key, block_key, due, field="due"):
    """Set (or move) a block's course-wide date, as publishing from Studio does; sends nothing."""
    date, _created = ContentDate.objects.update_or_create(
        location=str(block_key), field=field, defaults={"course": _course(course_key), "date": due})
    return date


def due_dates(user, course_key, field="due"):
    """``{block key: date}`` of the course's dated blocks for ``user`` (their own dates win)."""
    dates = {row.location: row.date for row in ContentDate.objects.filter(course__course_key=str(course_key),
                                                                          field=field)}
    if user is not None:
        for row in (UserDate.objects.filter(user=user, content_date__course__course_key=str(course_key),
                                            content_date__field=field)
                    .select_related("content_date").order_by("created", "pk")):
            dates[row.content_date.location] = row.abs_date
    return dates


def extend_due_dates(user, course_key, days, block_keys=None, reason="", once=False):
    """Give ``user`` personal due dates ``days`` later than their current ones, for every dated block
    or only ``block_keys`` (each must have a course-wide date: ``MissingDateError``). Returns how many.

    ``once``: a block that already has an override of ``user``'s with this very ``reason`` keeps it
    (the plugin's reasons name the step, so a retried step does not add the days twice)."""
    wanted = None if not block_keys else {str(key) for key in block_keys}
    with transaction.atomic():
        current = due_dates(user, course_key)
        missing = sorted(wanted - set(current)) if wanted is not None else []
        if missing:
            raise MissingDateError(", ".join(missing))
        rows = {row.location: row
                for row in ContentDate.objects.filter(course__course_key=str(course_key), field="due")}
        chosen = [key for key in sorted(current) if wanted is None or key in wanted]
        done = set(UserDate.objects.filter(user=user, reason=reason, content_date__location__in=chosen)
                   .values_list("content_date__location", flat=True)) if once else set()
        UserDate.objects.bulk_create(
            UserDate(user=user, content_date=rows[key], abs_date=current[key] + datetime.timedelta(days=days),
                     reason=reason)
            for key in chosen if key not in done)
    return len(chosen)


def audit_expiry(enrollment, course):
    """When course duration limits end this enrolment's access, or None when they do not apply."""
    if enrollment.mode != "audit" or "verified" not in (course.modes or ()):
        return None
    return max(filter(None, (enrollment.created, course.start))) + AUDIT_ACCESS


def access_end(enrollment, course):
    """``(moment, reason)``: the earlier of audit expiry and course end; ``(None, None)`` if neither."""
    ends = [(moment, reason) for moment, reason in ((audit_expiry(enrollment, course), "audit_expired"),
                                                    (course.end, "course_ended")) if moment is not None]
    return min(ends, key=lambda end: end[0]) if ends else (None, None)


def access_expires_at(user, course_key):
    course = _course(course_key)
    enrollment = CourseEnrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        return course.end
    return access_end(enrollment, course)[0]


def access_ends_between(after, upto):
    """Active enrolments whose access ended in ``(after, upto]``: dicts as the host backend returns."""
    earliest = after - AUDIT_ACCESS
    rows = (CourseEnrollment.objects.filter(is_active=True).select_related("course")
            .filter(_candidates(after, upto, earliest)).order_by("user_id", "course__course_key"))
    for enrollment in rows:
        moment, reason = access_end(enrollment, enrollment.course)
        if moment is not None and after < moment <= upto:
            yield {"user_id": enrollment.user_id, "course_key": enrollment.course.course_key,
                   "mode": enrollment.mode, "ended_at": moment, "reason": reason}


def access_ends_query(after, upto):
    """The same ends as ``access_ends_between``, as a queryset over the sandbox tables (values
    ``user_id``, ``course_key``, ``mode``, ``ended_at``, ``reason``): the access scan inserts its
    events from it in one ``INSERT … SELECT``. ``access_end`` in SQL: the audit expiry when the
    enrolment is audit and the course offers verified, the course end, whichever comes first (the
    expiry on a tie)."""
    offers_verified = Q(course__modes__icontains='"verified"')  # the JSON list's text holds the slug
    expiry = Case(When(Q(mode="audit") & offers_verified, then=ExpressionWrapper(
        Greatest("created", Coalesce("course__start", "created")) + AUDIT_ACCESS, output_field=DateTimeField())),
        default=None, output_field=DateTimeField())
    expiry_first = Q(expiry__isnull=False) & (Q(course__end__isnull=True) | Q(expiry__lte=F("course__end")))
    return (CourseEnrollment.objects.filter(is_active=True).filter(_candidates(after, upto, after - AUDIT_ACCESS))
            .order_by().annotate(expiry=expiry)
            .annotate(course_key=F("course__course_key"),
                      ended_at=Case(When(expiry_first, then=F("expiry")), default=F("course__end"),
                                    output_field=DateTimeField()),
                      reason=Case(When(expiry_first, then=Value("audit_expired")), default=Value("course_ended"),
                                  output_field=CharField()))
            .filter(ended_at__gt=after, ended_at__lte=upto)
            .values("user_id", "course_key", "mode", "ended_at", "reason"))


def _candidates(after, upto, earliest):
    """The course ended in the span, or an audit enrolment recent enough to expire in it."""
    return (Q(course__end__gt=after, course__end__lte=upto)
            | Q(mode="audit", created__lte=upto) & (Q(created__gt=earliest) | Q(course__start__gt=earliest)))


def end_audit_access(user, course_key, at=None):
    """Move an audit learner's access expiry to ``at`` (default now) by moving their enrolment's
    date back, the one lever the sandbox's duration limit has; sends nothing. A sandbox shortcut
    for demos (the LMS would need weeks to pass). Returns the new expiry."""
    at = at or timezone.now()
    course = _course(course_key)
    with transaction.atomic():
        enrollment = CourseEnrollment.objects.select_for_update().get(user=user, course=course)
        if audit_expiry(enrollment, course) is None:
            raise ValueError("only an audit enrolment in a course that offers verified has an access expiry; "
                             "other learners' access ends with the course")
        if course.start and course.start > at - AUDIT_ACCESS:
            raise ValueError(f"the course started on {course.start:%Y-%m-%d}: its audit access lasts until "
                             f"{course.start + AUDIT_ACCESS:%Y-%m-%d} at the earliest")
        enrollment.created = at - AUDIT_ACCESS
        enrollment.save(update_fields=["created"])
    return audit_expiry(enrollment, course)
