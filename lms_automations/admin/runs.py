"""Admin of runs: where each learner is in each automation, and the timeline that explains it."""
from django.contrib import admin

from .. import authority
from ..models import ActionExecution, Run, RunLog
from .run_views import RunStaffActionsMixin
from .scoping import CourseScopedAdminMixin


class RunLogInline(admin.TabularInline):
    model = RunLog
    extra = 0
    can_delete = False
    fields = ("at", "step_id", "kind", "message", "detail")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False


class ActionExecutionInline(admin.TabularInline):
    model = ActionExecution
    extra = 0
    can_delete = False
    fields = ("step_id", "visit", "action", "status", "attempts", "error", "modified")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(RunStaffActionsMixin, CourseScopedAdminMixin, admin.ModelAdmin):
    automation_field = "automation"
    rows_need_change = True  # a run is a learner's: shown only to who may change its automation
    list_display = ("id", "automation", "user", "status", "current_step_id", "started_at", "ended_at")
    list_filter = ("status", ("automation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "automation__name")
    list_select_related = ("automation", "user")
    raw_id_fields = ("user", "event")
    readonly_fields = (
        "automation", "user", "status", "current_step_id", "trigger_position", "event", "context", "is_test",
        "visit", "attempts", "awaited_event_type", "started_at", "ended_at", "error",
    )
    inlines = [RunLogInline, ActionExecutionInline]

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or authority.may_change(request.user, obj.automation))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or authority.may_change(request.user, obj.automation))

    def has_delete_permission(self, request, obj=None):
        """Runs are history: an open run is cancelled (which ends it properly), old ones go with the
        retention purge, a retired learner's with retirement. Deleting one here would skip all that."""
        return False
