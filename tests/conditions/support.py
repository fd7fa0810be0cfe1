"""Constants and helpers shared by the condition tests."""
import datetime

from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
OTHER_COURSE = "course-v1:Demo+W2+2026"
COURSE_END = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


def at(*args):
    """An aware UTC datetime."""
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def unit_key(course, position):
    return course.units.get(position=position).usage_key


def complete_unit(user, course, position):
    for block in course.units.get(position=position).blocks.all():
        services.complete_block(user, block.usage_key)
