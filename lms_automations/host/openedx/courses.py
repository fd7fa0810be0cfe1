"""Courses: overview, the lesson outline, access expiry, upgrade deadlines and due-date extensions."""
import datetime

from django.core.cache import cache

from ...conf import get_setting
from ...engine.errors import PermanentError
from ..base import extension_reason
from .access import earliest_end
from .errors import course_key_of, host_call, usage_key_of, user_for

#: The outline's block types: units (lessons) are verticals; what lies under them is their content.
UNIT_TYPE = "vertical"


def _overview(key):
    from openedx.core.djangoapps.content.course_overviews.models import (  # pylint: disable=import-outside-toplevel
        CourseOverview,
    )

    return CourseOverview.objects.filter(id=key).first()


def _course_missing():
    """What the modulestore raises for an unknown course (its import path moved over the years)."""
    try:
        from xmodule.modulestore.exceptions import ItemNotFoundError  # pylint: disable=import-outside-toplevel
    except ImportError:
        return {}
    return {ItemNotFoundError: "the LMS has no published course content ({error})"}


class CoursesMixin:
    def get_course(self, course_key):
        overview = _overview(course_key_of(course_key))
        if overview is None:
            return None
        return {"course_key": str(overview.id), "display_name": overview.display_name,
                "org": overview.display_org_with_default, "start": overview.start, "end": overview.end}

    def get_course_outline(self, course_key):
        """Units in course order with their content blocks, read from the LMS's collected block
        structure and cached per published version (the course overview's ``modified`` moves on publish)."""
        key = course_key_of(course_key)
        overview = _overview(key)
        if overview is None:
            raise PermanentError(f"the LMS has no course {key}")
        cache_key = f"lms_automations.outline.{key}.{overview.modified.timestamp() if overview.modified else 0}"
        outline = cache.get(cache_key)
        if outline is None:
            outline = self._read_outline(key)
            cache.set(cache_key, outline, get_setting("OUTLINE_CACHE_SECONDS"))
        return outline

    @staticmethod
    def _read_outline(key):
        from openedx.core.djangoapps.content.block_structure.api import (  # pylint: disable=import-outside-toplevel
            get_course_in_cache,
        )

        with host_call(_course_missing()):
            blocks = get_course_in_cache(key)
        units = []

        def content_of(usage_key):
            children = blocks.get_children(usage_key)
            if not children:
                return [str(usage_key)]
            return [leaf for child in children for leaf in content_of(child)]

        def walk(usage_key):
            if usage_key.block_type == UNIT_TYPE:
                children = blocks.get_children(usage_key)
                units.append({
                    "key": str(usage_key),
                    "display_name": blocks.get_xblock_field(usage_key, "display_name") or "",
                    "blocks": [leaf for child in children for leaf in content_of(child)],
                })
                return
            for child in blocks.get_children(usage_key):
                walk(child)

        walk(blocks.root_block_usage_key)
        return units

    def access_expires_at(self, user_id, course_key):
        """Course duration limits' expiry for audit learners (None when they don't apply) or the course end,
        whichever comes first."""
        from openedx.features.course_duration_limits.access import (  # pylint: disable=import-outside-toplevel
            get_user_course_expiration_date,
        )

        key = course_key_of(course_key)
        overview = _overview(key)
        if overview is None:
            raise PermanentError(f"the LMS has no course {key}")
        with host_call():
            expiry = get_user_course_expiration_date(user_for(user_id), overview)
        return earliest_end(expiry, overview.end)[0]

    def upgrade_deadline(self, user_id, course_key):
        from common.djangoapps.student.models import CourseEnrollment  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        enrollment = CourseEnrollment.objects.filter(user_id=user_id, course_id=key).first()
        if enrollment is None:
            return None
        with host_call():
            return enrollment.upgrade_deadline

    def extend_due_dates(self, user_id, course_key, days, block_keys=None, idempotency_key=None):
        """Moves the learner's own due dates ``days`` later (edx-when personal overrides, as the
        instructor dashboard's extensions do); other learners keep theirs. Blocks that already carry
        this step's override (its reason names the step) keep it: see ``HostBackend.extend_due_dates``."""
        from edx_when import api as when_api  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        user = user_for(user_id)
        wanted = None if not block_keys else {usage_key_of(block, key) for block in block_keys}
        reason = extension_reason(days, idempotency_key)
        permanent = {when_api.MissingDateError: "a block has no due date to extend ({error})",
                     when_api.InvalidDateError: "the LMS refused the new due date ({error})"}
        with host_call(permanent):
            # Not the request cache: a retry in the same worker must see the dates the first attempt wrote.
            dates = when_api.get_dates_for_course(key, user=user, use_cached=False)
            due = {block: date for (block, field), date in dates.items() if field == "due" and date}
            missing = wanted - set(due) if wanted is not None else set()
            if missing:
                raise PermanentError("no due date to extend on " + ", ".join(sorted(map(str, missing))))
            done = _blocks_extended_with(user, reason) if idempotency_key else set()
            for block, date in sorted(due.items(), key=lambda item: str(item[0])):
                if (wanted is None or block in wanted) and block not in done:
                    when_api.set_date_for_block(key, block, "due", date + datetime.timedelta(days=days),
                                                user=user, reason=reason)
        return len(due if wanted is None else wanted)


def _blocks_extended_with(user, reason):
    """Blocks whose override for ``user`` was written with ``reason``: edx-when's API returns no
    reasons, so its model is read (``UserDate.reason`` and ``content_date`` since edx-when 1.x)."""
    from edx_when.models import UserDate  # pylint: disable=import-outside-toplevel

    return {row.content_date.location
            for row in UserDate.objects.filter(user_id=user.pk, reason=reason).select_related("content_date")}
