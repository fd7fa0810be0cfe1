"""Course staff see only their courses' automations (and the runs of those).

Which courses a staff member works on comes from the host (Open edX course access roles); global
staff and superusers see everything. An automation belongs to a member's courses when its scope
names one of them (by course key or by the course's organisation).
"""
from django.db.models import Q
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..host import get_host
from ..models import Automation


def staff_scope(user):
    """None when ``user`` sees every course, else ``(course keys, organisations)`` of their course
    team roles. Asked of the host once per request: it is kept on the request's user object, which
    an admin page consults for every model and permission it shows."""
    cached = getattr(user, "_lms_automations_staff_scope", False)
    if cached is not False:
        return cached
    scope = None
    if not user.is_superuser:
        course_keys = get_host().staff_course_keys(user)
        if course_keys is not None:
            scope = (set(course_keys), set(get_host().staff_orgs(user)))
    user._lms_automations_staff_scope = scope  # pylint: disable=protected-access
    return scope


def visible_automation_ids(user):
    """None when ``user`` may see every automation, else the ids they may see."""
    scope = staff_scope(user)
    if scope is None:
        return None
    course_keys, team_orgs = scope
    orgs = {org_of(key) for key in course_keys} | team_orgs
    return [
        automation_id for automation_id, courses, scope_orgs in
        Automation.objects.values_list("pk", "scope_courses", "scope_orgs")
        if course_keys & set(courses or []) or orgs & set(scope_orgs or [])
        or team_orgs & {org_of(key) for key in courses or []}
    ]


def scope_refusal(user, scope_courses, scope_orgs):
    """Why ``user`` may not give an automation this scope, or None when they may.

    Course team members may scope automations only to their own courses (or, with an org-wide
    role, to their organisation and its courses); an automation with no scope runs everywhere, so
    only those who see every automation may save one.
    """
    scope = staff_scope(user) if user is not None else None
    if scope is None:
        return None
    course_keys, team_orgs = scope
    if not scope_courses and not scope_orgs:
        return "Name the courses this automation is for: without a scope it would run in every course."
    foreign = [key for key in scope_courses if key not in course_keys and org_of(key) not in team_orgs]
    foreign += [org for org in scope_orgs if org not in team_orgs]
    if foreign:
        return ("You can scope automations only to courses where you are on the course team; not yours: "
                + ", ".join(foreign))
    return None


def org_of(course_key):
    try:
        return CourseKey.from_string(course_key).org
    except InvalidKeyError:
        return None


class CourseScopedAdminMixin:
    """Limits a ModelAdmin's rows to the automations its user works on; ``automation_field`` says how."""

    automation_field = "pk"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = visible_automation_ids(request.user)
        if visible is None:
            return queryset
        return queryset.filter(**{f"{self.automation_field}__in": visible})


def sees_everything(user):
    """Superusers, and whoever the host says may see every course."""
    return staff_scope(user) is None


class CourseEventsAdminMixin:
    """Course team members see the events of their courses only (by the payload's ``course_key``,
    or the course's organisation where they hold an org-wide role); events without a course (account
    events) are for those who see everything."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_everything(request.user):
            return queryset
        course_keys, orgs = staff_scope(request.user)
        visible = Q(payload__course_key__in=sorted(course_keys)) if course_keys else Q(pk__in=[])
        for org in sorted(orgs):
            visible |= Q(payload__course_key__startswith=f"course-v1:{org}+")
        return queryset.filter(visible)


class SiteWideDataAdminMixin:
    """Learner data (tags, lists, fields, points, consent) spans courses: only those who see every
    course may look at it, whatever model permissions a course team member was given."""

    def has_module_permission(self, request):
        return sees_everything(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return sees_everything(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return sees_everything(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return sees_everything(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return sees_everything(request.user) and super().has_delete_permission(request, obj)
