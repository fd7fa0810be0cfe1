"""Stand-in of ``openedx.core.djangoapps.content.block_structure.api``: a collected block structure."""
import standin_state
from opaque_keys.edx.keys import CourseKey
from xmodule.modulestore.exceptions import ItemNotFoundError


class BlockStructure:
    """``children``: {usage key: [usage keys]}; ``names``: {usage key: display name}."""

    def __init__(self, root, children, names):
        self.root_block_usage_key = root
        self._children = children
        self._names = names

    def get_children(self, usage_key):
        return list(self._children.get(usage_key, []))

    def get_xblock_field(self, usage_key, field_name, default=None):
        return self._names.get(usage_key, default) if field_name == "display_name" else default


def get_course_in_cache(course_key):
    assert isinstance(course_key, CourseKey)
    standin_state.LMS.record("get_course_in_cache", course_key)
    if course_key not in standin_state.LMS.structures:
        raise ItemNotFoundError(course_key)
    return standin_state.LMS.structures[course_key]
