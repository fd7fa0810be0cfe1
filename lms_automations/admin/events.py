"""Admin of recorded events: what the plugin heard from the LMS, and whether it was dispatched."""
from django.contrib import admin

from ..models import CustomEventType, Event
from .scoping import CourseEventsAdminMixin, SiteWideDataAdminMixin


@admin.register(Event)
class EventAdmin(CourseEventsAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "user", "occurred_at", "source", "dispatch_status", "dispatched_at")
    list_filter = ("dispatch_status", "source", "event_type")
    search_fields = ("event_type", "idempotency_key", "user__username", "user__email")
    date_hierarchy = "occurred_at"
    list_select_related = ("user",)
    readonly_fields = [field.name for field in Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomEventType)
class CustomEventTypeAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "label", "modified")
    search_fields = ("slug", "label")
