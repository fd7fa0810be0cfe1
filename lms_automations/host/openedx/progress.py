"""Completion, activity and grades: edx-completion's ``BlockCompletion``, course goals'
``UserActivity`` and the persisted course grade (read as stored, never recomputed)."""
import datetime

from django.db.models import Max

from ...completion_tracking import OFF
from .errors import course_key_of, host_call, usage_key_of, user_for

#: Learners whose enrolments and last days one pair of reads fetches (the candidates of a range).
CANDIDATE_CHUNK = 1000


def _as_datetime(day):
    return None if day is None else datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _last_activity_rows(lookups):
    """``(user_id, course_key, last_activity_at)`` of the active enrolments matching ``lookups``
    (learner bounds or ids), in learner order: the later of the last active day and the enrolment."""
    from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel
    from lms.djangoapps.course_goals.models import UserActivity  # pylint: disable=import-outside-toplevel

    activity = UserActivity.objects.filter(**lookups)
    last_days = {(row["user_id"], str(row["course_key"])): row["last"] for row in
                 activity.order_by().values("user_id", "course_key").annotate(last=Max("date")).iterator()}
    rows = (CourseEnrollment.objects.filter(is_active=True, **lookups).order_by("user_id")
            .values_list("user_id", "course_id", "created").iterator(chunk_size=2000))
    for user_id, course_id, created in rows:
        day = last_days.get((user_id, str(course_id)))
        yield user_id, str(course_id), max(filter(None, (_as_datetime(day), created)))


def _candidates(bounds, spans):
    """``{(user_id, course_key)}`` of the range whose enrolment was made, or that were active on a
    day, in one of ``spans``: the later of the two is the last activity, so it lies in a span only
    for these. One read of the enrolments per span (``created`` is indexed) and one of the activity
    days of all spans (``date IN``: the table has no index on the date, so it is read once)."""
    from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel
    from lms.djangoapps.course_goals.models import UserActivity  # pylint: disable=import-outside-toplevel

    candidates, days = set(), set()
    for after, upto in spans:
        made = {"created__lte": upto, **({"created__gt": after} if after is not None else {})}
        enrolled = CourseEnrollment.objects.filter(is_active=True, **bounds, **made).values_list("user_id", "course_id")
        candidates.update((user_id, str(course)) for user_id, course in enrolled.iterator())
        if after is not None:
            # A day's midnight lies in (after, upto] exactly when the day lies in (after's day, upto's day].
            first = _utc_date(after) + datetime.timedelta(days=1)
            days.update(first + datetime.timedelta(days=n) for n in range((_utc_date(upto) - first).days + 1))
    if all(after is not None for after, _upto in spans):
        active = UserActivity.objects.filter(**bounds, date__in=sorted(days))
    else:  # a span without a start: every day up to the last span's end
        active = UserActivity.objects.filter(**bounds, date__lte=max(_utc_date(upto) for _after, upto in spans))
    active = active.values_list("user_id", "course_key").distinct()
    candidates.update((user_id, str(course)) for user_id, course in active.iterator())
    return candidates


def _utc_date(moment):
    return moment.astimezone(datetime.UTC).date()


class ProgressMixin:
    def completed_blocks(self, user_id, course_key):
        from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        rows = BlockCompletion.objects.filter(user_id=user_id, context_key=key, completion__gte=1.0)
        return {str(block_key) for block_key in rows.values_list("block_key", flat=True)}

    def mark_blocks_complete(self, user_id, course_key, block_keys):
        from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        usage_keys = [usage_key_of(block, key) for block in block_keys]  # all checked before any is written
        # RuntimeError: the completion switch was turned off since the action checked it.
        with host_call({ValueError: "the LMS refused the completion ({error})", RuntimeError: OFF}):
            for usage_key in usage_keys:
                BlockCompletion.objects.submit_completion(user=user, block_key=usage_key, completion=1.0)

    def last_activity(self, user_id, course_key):
        """The later of the last active day (course goals' ``UserActivity``, written only where the
        course goals flag is on) and the last completion, or None."""
        from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.course_goals.models import UserActivity  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        day = UserActivity.objects.filter(user_id=user_id, course_key=key).aggregate(last=Max("date"))["last"]
        completed = (BlockCompletion.objects.filter(user_id=user_id, context_key=key)
                     .aggregate(last=Max("modified"))["last"])
        return max(filter(None, (_as_datetime(day), completed)), default=None)

    def enrollment_activity(self, after_user_id=None, upto_user_id=None, spans=None):
        """One range of learners' active enrolments with their last activity, from two reads of that
        range — the enrolments, and the last active day per learner and course grouped in the
        database — merged in Python and streamed (ADR 0014: edx-platform's tables are not queried in
        SQL the plugin writes, so their schema may change under it). With ``spans`` (ADR 0025) the
        range's candidates are read first — enrolments made in a span (``created`` is indexed),
        activity days in one (read within the learner range: ``UserActivity`` has no index on the
        date) — and only their learners' enrolments and last days."""
        bounds = {}
        if after_user_id is not None:
            bounds["user_id__gt"] = after_user_id
        if upto_user_id is not None:
            bounds["user_id__lte"] = upto_user_id
        if spans is None:
            yield from _last_activity_rows(bounds)
            return
        candidates = _candidates(bounds, spans)
        learners = sorted({user_id for user_id, _course in candidates})
        for start in range(0, len(learners), CANDIDATE_CHUNK):
            chunk = {"user_id__in": learners[start:start + CANDIDATE_CHUNK]}
            for row in _last_activity_rows(chunk):
                if (row[0], row[1]) in candidates:
                    yield row

    def get_grade(self, user_id, course_key):
        from lms.djangoapps.grades.models import PersistentCourseGrade  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        grade = PersistentCourseGrade.objects.filter(user_id=user_id, course_id=key).first()
        if grade is None:
            return None
        return {"percent": round(grade.percent_grade * 100, 2), "letter_grade": grade.letter_grade or "",
                "passed": grade.passed_timestamp is not None}
