"""Access ends: which learners' access to a course ended in a span of time (the daily access scan).

Open edX sends no signal when audit access expires or a course ends: both are dates the LMS
computes when it gates a page. The candidates are read in a few queries — active enrolments of the
courses that ended in the span, and active audit enrolments recent enough for their expiry (at most
``COURSE_ACCESS_DURATION_MAX_WEEKS`` after enrolment or course start) to fall in it — and the expiry
of each audit candidate is asked of course duration limits itself, so its rules (verified mode
offered, the config switch, holdbacks, FBE exclusions) stay the LMS's.
"""
import datetime

from django.conf import settings

from .errors import host_call, user_for

#: edx-platform's default for ``COURSE_ACCESS_DURATION_MAX_WEEKS`` (``openedx/envs/common.py``).
MAX_WEEKS = 18


def earliest_end(expiry, course_end):
    """``(moment, reason)`` of whichever comes first, audit expiry or course end; ``(None, None)``."""
    ends = [(moment, reason) for moment, reason in ((expiry, "audit_expired"), (course_end, "course_ended"))
            if moment is not None]
    return min(ends, key=lambda end: end[0]) if ends else (None, None)


class AccessMixin:
    def access_ends_between(self, after, upto):
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.content.course_overviews.models import (  # pylint: disable=import-outside-toplevel
            CourseOverview,
        )
        from openedx.features.course_duration_limits.access import (  # pylint: disable=import-outside-toplevel
            get_user_course_expiration_date,
        )

        earliest = after - datetime.timedelta(weeks=getattr(settings, "COURSE_ACCESS_DURATION_MAX_WEEKS", MAX_WEEKS))
        ended = list(CourseOverview.objects.filter(end__gt=after, end__lte=upto).values_list("id", flat=True))
        started = list(CourseOverview.objects.filter(start__gt=earliest, start__lte=upto).values_list("id", flat=True))
        active = CourseEnrollment.objects.filter(is_active=True)
        candidates = {}
        for rows in (active.filter(course_id__in=ended),
                     active.filter(mode="audit", created__gt=earliest, created__lte=upto),
                     active.filter(mode="audit", course_id__in=started, created__lte=upto)):
            for row in rows:
                candidates[(row.user_id, row.course_id)] = row
        overviews = {}
        for (user_id, course_id), row in sorted(candidates.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            if course_id not in overviews:
                overviews[course_id] = CourseOverview.objects.filter(id=course_id).first()
            overview = overviews[course_id]
            if overview is None:
                continue
            expiry = None
            if row.mode == "audit":
                with host_call():
                    expiry = get_user_course_expiration_date(user_for(user_id), overview, enrollment=row)
            moment, reason = earliest_end(expiry, overview.end)
            if moment is not None and after < moment <= upto:
                yield {"user_id": user_id, "course_key": str(course_id), "mode": row.mode, "ended_at": moment,
                       "reason": reason}
