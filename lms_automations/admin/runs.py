"""Admin of runs: where each learner is in each automation, and the timeline that explains it.

A run is a record, not a form: its page is titled by the learner and the automation, tells the
timeline in sentences (``run_timeline``) with times to the second in the viewer's zone, and has no
Save button — staff act on runs through Cancel and Replay (``run_views``).
"""
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import authority
from ..models import ActionExecution, Run
from . import staff_actions
from .run_timeline import timeline
from .run_views import RunStaffActionsMixin
from .scoping import CourseScopedAdminMixin
from .viewer_time import moment, viewer_timezone, zone_name

READ_ONLY_PAGE = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
                  "show_delete": False, "show_close": True}


def learner_title(user):
    """``Ada Lovelace (ada@example.com)``; the username where the learner has no name or address."""
    name = user.get_full_name().strip()
    profile_name = getattr(getattr(user, "profile", None), "name", "") or ""
    name = name or (profile_name if profile_name != user.username else "")
    contact = user.email or user.username
    return f"{name} ({contact})" if name else contact


def learner_url(user_id):
    return reverse("admin:lms_automations_learner_page", args=[user_id])


class ActionExecutionInline(admin.TabularInline):
    model = ActionExecution
    extra = 0
    can_delete = False
    fields = ("step_id", "step_visit", "action", "status", "attempts", "error", "last_change")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Actions executed")

    def get_queryset(self, request):
        """Each execution numbered among its step's: ``visit`` is the run's count of step moves (it
        keys the execution), so a step reached once as the run's third move has visit 3."""
        return super().get_queryset(request).annotate(step_visit=Window(
            RowNumber(), partition_by=[F("run_id"), F("step_id")], order_by=[F("visit").asc(), F("pk").asc()]))

    @admin.display(description=gettext_lazy("Visit"))
    def step_visit(self, obj):
        return obj.step_visit

    @admin.display(description=gettext_lazy("Last change"))
    def last_change(self, obj):
        """The engine's time of the step's last attempt (a sandbox's cut-short wait included)."""
        return moment(obj.modified, timezone.get_current_timezone(), with_zone=False)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(RunStaffActionsMixin, CourseScopedAdminMixin, admin.ModelAdmin):
    automation_field = "automation"
    rows_need_change = True  # a run is a learner's: shown only to who may change its automation
    list_display = ("id", "automation", "learner", "status", "current_step_id", "started_at", "ended_at")
    list_filter = ("status", ("automation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "automation__name")
    list_select_related = ("automation", "user")
    fieldsets = (
        (None, {"fields": ("learner", "automation_link", "status", "current_step_id", "started", "ended",
                           "trigger", "is_test", "error")}),
        (gettext_lazy("Engine details"), {"classes": ("collapse",),
                                          "fields": ("visit", "attempts", "awaited_event_type", "context")}),
    )
    readonly_fields = ("learner", "automation_link", "status", "current_step_id", "started", "ended", "trigger",
                       "is_test", "error", "visit", "attempts", "awaited_event_type", "context")
    inlines = [ActionExecutionInline]

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Nothing is saved from this page (a stale save would overwrite what the engine wrote);
        a run outside the viewer's courses is not found."""
        run = staff_actions.scoped_run(request.user, unquote(object_id))
        if request.method == "POST":
            return redirect(request.path)
        zone = viewer_timezone(request)
        context = {
            **READ_ONLY_PAGE, **(extra_context or {}),
            "title": _("%(learner)s in “%(automation)s”") % {"learner": learner_title(run.user),
                                                              "automation": run.automation.name},
            "subtitle": _("Run %(id)s") % {"id": run.pk},
            "timeline": timeline(run, zone), "zone_name": zone_name(zone),
        }
        with timezone.override(zone):  # the fields below read the zone while the page renders
            response = super().change_view(request, object_id, form_url, context)
            if hasattr(response, "render"):
                response.render()
        return response

    # --- fields shown -----------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Learner"), ordering="user__username")
    def learner(self, obj):
        return format_html('<a href="{}">{}</a>', learner_url(obj.user_id), learner_title(obj.user))

    @admin.display(description=gettext_lazy("Automation"))
    def automation_link(self, obj):
        url = reverse("admin:lms_automations_automation_change", args=[obj.automation_id])
        return format_html('<a href="{}">{}</a>', url, obj.automation.name)

    @admin.display(description=gettext_lazy("Started"))
    def started(self, obj):
        return moment(obj.started_at, timezone.get_current_timezone())

    @admin.display(description=gettext_lazy("Ended"))
    def ended(self, obj):
        return moment(obj.ended_at, timezone.get_current_timezone()) or "—"

    @admin.display(description=gettext_lazy("Trigger"))
    def trigger(self, obj):
        if obj.trigger_position is None:
            return _("none (started by staff)") if not obj.event_id else "—"
        event_type = (obj.context or {}).get("event_type") or ""
        return _("trigger %(number)s: %(event)s") % {"number": obj.trigger_position + 1, "event": event_type}
