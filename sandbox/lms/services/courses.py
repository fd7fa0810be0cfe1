"""Courses of the sandbox LMS: finding one by key, and publishing one with its outline."""
from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from ..models import Block, Course, Unit

#: Outline used when ``create_course`` gets no units: three units of two blocks, mixing the block types
#: automations care about. A block id is ``"<block_type>:<block_id>"``, or a bare id for an html block.
DEFAULT_OUTLINE = (
    ("html:welcome", "video:intro"),
    ("html:reading", "problem:quiz-1"),
    ("video:lecture", "problem:final-quiz"),
)
DEFAULT_BLOCK_TYPE = "html"


def course_key_of(course_key):
    """A ``CourseKey`` from a key or its string; raises ``InvalidKeyError`` for anything else."""
    return course_key if isinstance(course_key, CourseKey) else CourseKey.from_string(str(course_key))


def get_course(course_key):
    key = course_key_of(course_key)
    try:
        return Course.objects.get(course_key=str(key))
    except Course.DoesNotExist:
        raise Course.DoesNotExist(f"The sandbox LMS has no course {key}.") from None


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
