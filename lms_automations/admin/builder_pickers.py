"""What the builder's pickers offer, scoped to the staff member asking.

A course team member sees their own courses, the outlines of those courses only, the learners
enrolled in them, and the tag / list / field names their automations already use. Those who see
every course also get every name the learner data holds.
"""
from django.contrib.auth import get_user_model
from django.db.models import Q

from ..host import get_host
from ..models import Automation, Event, LearnerField, LearnerList, LearnerTag
from .scoping import staff_scope, visible_automation_ids

MAX_NAMES = 200
MAX_LEARNERS = 20
#: Recent events looked at for the course keys a site-wide staff member is offered.
RECENT_EVENTS = 2000


def may_use_course(user, course_key):
    scope = staff_scope(user)
    return scope is None or scope.holds_course(course_key)


def courses_for(user):
    """``[{"key", "name"}]``: a course team member's courses; for site-wide staff, the courses that
    automations and recent events name (the host has no list of every course)."""
    scope = staff_scope(user)
    if scope is not None:
        keys = set(scope.course_keys)
    else:
        keys = {key for courses in Automation.objects.values_list("scope_courses", flat=True) for key in courses or []}
        keys |= {key for key in Event.objects.order_by("-pk").values_list("payload__course_key", flat=True)
                 [:RECENT_EVENTS] if isinstance(key, str) and key}
    host = get_host()
    courses = []
    for key in sorted(keys):
        try:
            course = host.get_course(key) or {}
        except Exception:  # pylint: disable=broad-except  # a course the host cannot read is still offered
            course = {}
        courses.append({"key": key, "name": str(course.get("display_name") or key)})
    return courses


def outline_for(course_key):
    """``[{"key", "name", "blocks": [key, ...]}]`` of the course's units, in order (after ``may_use_course``)."""
    try:
        outline = get_host().get_course_outline(course_key) or []
    except Exception:  # pylint: disable=broad-except  # an unknown course has no outline to pick from
        return []
    return [{"key": unit["key"], "name": str(unit.get("display_name") or unit["key"]),
             "blocks": list(unit.get("blocks") or [])} for unit in outline]


def names_for(user, kind):
    """Tag, list, field or label names that exist: in the automations ``user`` sees, and (for site-wide staff)
    in the learner data."""
    if kind == "label":
        return _labels(user)
    found = set(_names_in_automations(user, kind))
    if staff_scope(user) is None:
        source = {"tag": LearnerTag.objects.values_list("tag", flat=True),
                  "list": LearnerList.objects.values_list("slug", flat=True),
                  "field": LearnerField.objects.values_list("name", flat=True)}[kind]
        found |= set(source.distinct().order_by()[:MAX_NAMES])
    return sorted(found)[:MAX_NAMES]


def _labels(user):
    """The labels of the automations ``user`` sees (labels group automations, ADR 0013)."""
    visible = visible_automation_ids(user)
    rows = Automation.objects.all() if visible is None else Automation.objects.filter(pk__in=visible)
    found = {label for labels in rows.values_list("labels", flat=True) for label in labels or []
             if isinstance(label, str)}
    return sorted(found, key=str.lower)[:MAX_NAMES]


def _names_in_automations(user, kind):
    from ..models import Step  # pylint: disable=import-outside-toplevel

    visible = visible_automation_ids(user)
    steps = Step.objects.all() if visible is None else Step.objects.filter(automation_id__in=visible)
    param = {"tag": ("tags", "tag"), "list": ("list",), "field": ("field",)}[kind]
    for params in steps.exclude(params={}).values_list("params", flat=True):
        for name in param:
            value = (params or {}).get(name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item and "{" not in item:
                    yield item


def learners_for(user, automation_scope, query):
    """Up to ``MAX_LEARNERS`` learners matching ``query`` (username, e-mail, name) that ``user`` may
    preview with: for a course team member, learners enrolled in their courses of the scope."""
    users = get_user_model().objects.filter(is_active=True)
    query = (query or "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(email__icontains=query)
                             | Q(first_name__icontains=query) | Q(last_name__icontains=query))
    scope = staff_scope(user)
    if scope is not None:
        courses = [key for key in automation_scope or scope.course_keys if may_use_course(user, key)]
        users = users.filter(pk__in=list(get_host().enrolled_user_ids(courses)) if courses else [])
    return [{"id": learner.pk, "username": learner.username, "email": learner.email,
             "name": learner.get_full_name()} for learner in users.order_by("username")[:MAX_LEARNERS]]


def may_preview_learner(user, automation_scope, learner_id):
    """Whether ``user`` may see a preview rendered with this learner's data."""
    scope = staff_scope(user)
    if scope is None:
        return get_user_model().objects.filter(pk=learner_id).exists()
    courses = [key for key in automation_scope or scope.course_keys if may_use_course(user, key)]
    return bool(courses) and int(learner_id) in set(get_host().enrolled_user_ids(courses))
