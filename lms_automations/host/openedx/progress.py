"""Completion, activity and grades: edx-completion's ``BlockCompletion``, course goals'
``UserActivity`` and the persisted course grade (read as stored, never recomputed)."""
import datetime

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

    def enrollment_activity(self, after_user_id=None, upto_user_id=None):
        """One range of learners' active enrolments with their last activity, from two reads of that
        range — the enrolments, and the last active day per learner and course grouped in the
        database — merged in Python and streamed (ADR 0014: edx-platform's tables are not queried in
        SQL the plugin writes, so their schema may change under it)."""
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.course_goals.models import UserActivity  # pylint: disable=import-outside-toplevel

        bounds = {}
        if after_user_id is not None:
            bounds["user_id__gt"] = after_user_id
        if upto_user_id is not None:
            bounds["user_id__lte"] = upto_user_id
        enrollments = CourseEnrollment.objects.filter(is_active=True, **bounds)
        activity = UserActivity.objects.filter(**bounds)
        last_days = {(row["user_id"], str(row["course_key"])): row["last"] for row in
                     activity.order_by().values("user_id", "course_key").annotate(last=Max("date")).iterator()}
        rows = enrollments.order_by("user_id").values_list("user_id", "course_id", "created").iterator(chunk_size=2000)
        for user_id, course_id, created in rows:
            day = last_days.get((user_id, str(course_id)))
            yield user_id, str(course_id), max(filter(None, (_as_datetime(day), created)))

    def get_grade(self, user_id, course_key):
        from lms.djangoapps.grades.models import PersistentCourseGrade  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        grade = PersistentCourseGrade.objects.filter(user_id=user_id, course_id=key).first()
        if grade is None:
            return None
        return {"percent": round(grade.percent_grade * 100, 2), "letter_grade": grade.letter_grade or "",
                "passed": grade.passed_timestamp is not None}
