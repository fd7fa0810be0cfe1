"""Admin of the learner data automations read and write: tags, lists, fields, points, consent."""
from django.contrib import admin

from ..models import LearnerField, LearnerList, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from .scoping import SiteWideDataAdminMixin


@admin.register(LearnerTag)
class LearnerTagAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("tag", "user", "created")
    list_filter = ("tag",)
    search_fields = ("tag", "user__username")
    raw_id_fields = ("user",)


class ListMembershipInline(admin.TabularInline):
    model = ListMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(LearnerList)
class LearnerListAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("slug", "name", "modified")
    search_fields = ("slug", "name")
    inlines = [ListMembershipInline]


@admin.register(LearnerField)
class LearnerFieldAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("name", "user", "value", "modified")
    list_filter = ("name",)
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)


@admin.register(PointsEntry)
class PointsEntryAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("user", "amount", "course_key", "reason", "created")
    search_fields = ("user__username", "course_key", "reason")
    raw_id_fields = ("user",)


@admin.register(MarketingConsent)
class MarketingConsentAdmin(SiteWideDataAdminMixin, admin.ModelAdmin):
    list_display = ("user", "subscribed", "changed_at", "source")
    list_filter = ("subscribed",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        """Staff opting a learner out or back in records ``email.unsubscribed`` / ``email.resubscribed``,
        once per change (``consent``); a new row that says "subscribed" changes nothing."""
        from ..consent import record_change  # pylint: disable=import-outside-toplevel

        changed = ("subscribed" in form.changed_data) if change else not obj.subscribed
        if not obj.source:
            obj.source = "admin"
        super().save_model(request, obj, form, change)
        if changed:
            record_change(obj)
