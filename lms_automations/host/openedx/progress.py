"""Completion, activity and grades: edx-completion's ``BlockCompletion``, course goals'
``UserActivity`` and the persisted course grade (read as stored, never recomputed)."""
import datetime
import itertools

from django.db.models import Max

from ...completion_tracking import OFF
from .errors import course_key_of, host_call, usage_key_of, user_for


def _as_datetime(day):
    return None if day is None else datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


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

    def active_enrollment_activity(self):
        """Every active enrolment with its last activity, from two streamed, set-based reads both
        ordered by learner — the enrolments, and the last active day per learner and course grouped
        in the database — merged one learner at a time, so memory stays flat on large sites."""
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.course_goals.models import UserActivity  # pylint: disable=import-outside-toplevel

        enrollments = (CourseEnrollment.objects.filter(is_active=True).order_by("user_id")
                       .values_list("user_id", "course_id", "created").iterator(chunk_size=2000))
        last_days = iter(UserActivity.objects.order_by().values("user_id", "course_key")
                         .annotate(last=Max("date")).order_by("user_id").iterator(chunk_size=2000))
        pending = next(last_days, None)
        for user_id, rows in itertools.groupby(enrollments, key=lambda row: row[0]):
            days = {}
            while pending is not None and pending["user_id"] <= user_id:
                if pending["user_id"] == user_id:
                    days[str(pending["course_key"])] = pending["last"]
                pending = next(last_days, None)
            for _user_id, course_id, created in rows:
                day = days.get(str(course_id))
                yield user_id, str(course_id), max(filter(None, (_as_datetime(day), created)))

    def get_grade(self, user_id, course_key):
        from lms.djangoapps.grades.models import PersistentCourseGrade  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        grade = PersistentCourseGrade.objects.filter(user_id=user_id, course_id=key).first()
        if grade is None:
            return None
        return {"percent": round(grade.percent_grade * 100, 2), "letter_grade": grade.letter_grade or "",
                "passed": grade.passed_timestamp is not None}
