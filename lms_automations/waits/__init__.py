"""Built-in waits (SPEC §4.4), one class each, registered as ``lms_automations.waits`` entry points.

Local times, DST gaps and folds are resolved in one place, ``clock``; shared params and the
5 minutes – 365 days bounds in ``params``.
"""
from .course_dates import CourseDateWait
from .events import EventWait
from .fields import FieldDateWait, FieldDurationWait
from .timing import DurationWait, TimeOfDayWait, UntilWait, WeekdayWait

__all__ = ["CourseDateWait", "DurationWait", "EventWait", "FieldDateWait", "FieldDurationWait", "TimeOfDayWait",
           "UntilWait", "WeekdayWait"]
