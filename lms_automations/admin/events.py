"""Admin of recorded events: what the plugin heard from the LMS, whether it was dispatched, and which
runs each event started, advanced or ended; custom event types with what each starts and stops."""
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _

from ..models import CustomEventType, Event
from .event_links import listeners_html, moved_runs, runs_html
from .scoping import CourseEventsAdminMixin, SiteWideDataAdminMixin


class EventChangeList(ChangeList):
    """Reads the runs every event of the page moved in one query (``event_links``), not one per row."""

    def get_results(self, request):
        super().get_results(request)
        moves = moved_runs([event.pk for event in self.result_list], request.user)
        for event in self.result_list:
            event.moved_runs = moves.get(event.pk, [])


@admin.register(Event)
class EventAdmin(CourseEventsAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "user", "occurred_at", "source", "dispatch_status", "runs")
    list_filter = ("dispatch_status", "source", "event_type")
    search_fields = ("event_type", "idempotency_key", "user__username", "user__email")
    date_hierarchy = "occurred_at"
    list_select_related = ("user",)
    readonly_fields = [field.name for field in Event._meta.fields] + ["runs"]

    def get_changelist(self, request, **kwargs):
        return EventChangeList

    @admin.display(description=_("runs started, advanced or ended"))
    def runs(self, obj):
        return runs_html(getattr(obj, "moved_runs", None))

    def get_object(self, request, object_id, from_field=None):
        """The change page's event, with the runs it moved (as the list reads them, for one)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.moved_runs = moved_runs([obj.pk], request.user).get(obj.pk, [])
        return obj

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomEventType)
class CustomEventTypeAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "label", "learns_fields", "modified")
    list_filter = ("learns_fields",)
    search_fields = ("slug", "label")
    readonly_fields = ("starts_and_stops",)

    @admin.display(description=_("automations it starts and stops"))
    def starts_and_stops(self, obj):
        return getattr(obj, "listeners", None) or "—"

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.listeners = listeners_html(obj.event_type, request.user)
        return obj
