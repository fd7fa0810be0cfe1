"""The admin side of the authority model (``lms_automations.authority`` decides; these apply it).

Course team members see only the automations whose scope touches their courses, change only those
they could have given that scope, see runs only of automations they may change, and get a 404 for
every other object — on the change page, the delete page, the history pages and every custom view —
as if it did not exist (ids are not confirmed). Learner data that spans courses is for platform
staff only.
"""
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from .. import authority
from ..authority import org_of, scope_refusal, staff_scope, visible_automation_ids  # noqa: F401  (re-exported)


def sees_everything(user):
    """Superusers, and whoever the host says may see every course."""
    return authority.is_platform_staff(user)


class ScopedObjectViewsMixin:
    """Every view of one object (change, delete, history, history detail and revert) answers 404 to a
    user who is not platform staff when the object is not among the rows ``get_queryset`` gives them
    — Django would otherwise redirect with "doesn't exist", and django-simple-history falls back to
    the historical rows, which are not scoped at all."""

    def _in_reach_or_404(self, request, object_id):
        if sees_everything(request.user):
            return
        try:
            found = self.get_queryset(request).filter(pk=unquote(str(object_id))).exists()
        except (ValueError, TypeError, ValidationError):  # a malformed id
            found = False
        if not found:
            raise Http404("No such object.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_reach_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._in_reach_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_reach_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """django-simple-history's version page; its POST reverts the object to that version, which is
        a change: it needs the change permission on the object as it is now (the package itself
        lets anyone who may view the history revert)."""
        self._in_reach_or_404(request, object_id)
        if request.method == "POST":
            current = self.get_queryset(request).filter(pk=unquote(str(object_id))).first()
            if current is not None and not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class CourseScopedAdminMixin(ScopedObjectViewsMixin):
    """Limits a ModelAdmin's rows to automations its user may see (``automation_field`` says how a
    row reaches its automation); with ``rows_need_change = True`` (runs: learners' data) to those
    they may change."""

    automation_field = "pk"
    rows_need_change = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        reachable = (authority.changeable_automation_ids if self.rows_need_change
                     else authority.visible_automation_ids)(request.user)
        if reachable is None:
            return queryset
        return queryset.filter(**{f"{self.automation_field}__in": reachable})


class CourseEventsAdminMixin(ScopedObjectViewsMixin):
    """Course team members see the events of their courses only (by the payload's ``course_key``,
    or the course's organisation where they hold an org-wide role); events without a course (account
    events) are for platform staff."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_everything(request.user):
            return queryset
        if not request.user.is_active:
            return queryset.none()
        scope = staff_scope(request.user)
        visible = Q(payload__course_key__in=sorted(scope.course_keys)) if scope.course_keys else Q(pk__in=[])
        for org in sorted(scope.orgs):
            visible |= Q(payload__course_key__startswith=f"course-v1:{org}+")
        return queryset.filter(visible)


class SiteWideDataAdminMixin:
    """Learner data (tags, lists, fields, points, consent) and site-wide declarations span courses:
    only platform staff may look at them, whatever model permissions a course team member was given."""

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
