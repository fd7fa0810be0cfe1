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
