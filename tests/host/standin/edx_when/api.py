"""Stand-in of ``edx_when.api``: dates per (block, field), with personal overrides per user."""
import datetime
import types

import standin_state
from opaque_keys.edx.keys import CourseKey, UsageKey
from standin_rows import UserDateRow


class MissingDateError(Exception):
    pass


class InvalidDateError(Exception):
    pass


def get_dates_for_course(course_id, user=None, use_cached=True, schedule=None, published_version=None):
    assert isinstance(course_id, CourseKey)
    standin_state.LMS.record("get_dates_for_course", course_id, user=user)
    dates = {}
    for (course, block, field, who), date in standin_state.LMS.due_dates.items():
        if course == course_id and who is None:
            dates.setdefault((block, field), date)
    for (course, block, field, who), date in standin_state.LMS.due_dates.items():
        if course == course_id and user is not None and who == user.pk:
            dates[(block, field)] = date
    return dates


def set_date_for_block(course_id, block_id, field, date_or_timedelta, user=None, reason="", actor=None):
    assert isinstance(course_id, CourseKey) and isinstance(block_id, UsageKey)
    lms = standin_state.LMS
    lms.record("set_date_for_block", course_id, block_id, field, date_or_timedelta, user=user, reason=reason)
    if (course_id, block_id, field, None) not in lms.due_dates:
        raise MissingDateError(block_id)
    if not isinstance(date_or_timedelta, datetime.datetime | datetime.timedelta):
        raise InvalidDateError(date_or_timedelta)
    lms.due_dates[(course_id, block_id, field, user.pk if user else None)] = date_or_timedelta
    if user is not None:
        lms.user_dates.rows.append(UserDateRow(user.pk, types.SimpleNamespace(location=block_id, field=field),
                                               date_or_timedelta, reason))
