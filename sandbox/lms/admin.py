"""Admin of the stand-in LMS, so course staff can see in the demo what learners did.

Saving a certificate or a cohort membership here sends its openedx-events signal, as the same edit
does in the real LMS; enrolments, grades and completions are better driven through ``services``.
"""
from django.contrib import admin

from .models import (
    Block,
    CohortMembership,
    ContentDate,
    Course,
    CourseEnrollment,
    GeneratedCertificate,
    PersistentCourseGrade,
    Unit,
    UserActivity,
    UserAttribute,
    UserDate,
    UserProfile,
)

_USER_SEARCH = ("user__username", "user__email")


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "language", "country", "time_zone", "year_of_birth")
    list_filter = ("language", "country")
    search_fields = (*_USER_SEARCH, "name")
    raw_id_fields = ("user",)


class UnitInline(admin.TabularInline):
    model = Unit
    fields = ("position", "display_name", "usage_key")
    extra = 0
    show_change_link = True


class BlockInline(admin.TabularInline):
    model = Block
    fields = ("position", "block_type", "usage_key")
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("course_key", "display_name", "org", "start", "end", "modes", "enrolled")
    list_filter = ("org",)
    search_fields = ("course_key", "display_name")
    inlines = (UnitInline,)

    @admin.display(description="active enrolments")
    def enrolled(self, course):
        return course.enrollments.filter(is_active=True).count()


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("usage_key", "display_name", "course", "position")
    list_filter = ("course",)
    search_fields = ("usage_key", "display_name")
    inlines = (BlockInline,)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("usage_key", "block_type", "unit", "position")
    list_filter = ("block_type", "unit__course")
    search_fields = ("usage_key",)


@admin.register(CourseEnrollment)
class CourseEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "mode", "is_active", "created")
    list_filter = ("mode", "is_active", "course")
    search_fields = (*_USER_SEARCH, "course__course_key")
    raw_id_fields = ("user",)
    date_hierarchy = "created"


@admin.register(PersistentCourseGrade)
class PersistentCourseGradeAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "percent", "letter_grade", "passed_timestamp", "modified")
    list_filter = ("course", "letter_grade")
    search_fields = (*_USER_SEARCH, "course__course_key")
    raw_id_fields = ("user",)

    @admin.display(description="grade", ordering="percent_grade")
    def percent(self, grade):
        return f"{grade.percent_grade:.0%}"


@admin.register(GeneratedCertificate)
class GeneratedCertificateAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "status", "mode", "grade", "created", "modified")
    list_filter = ("status", "mode", "course")
    search_fields = (*_USER_SEARCH, "course__course_key", "verify_uuid")
    raw_id_fields = ("user",)
    readonly_fields = ("verify_uuid", "created", "modified")


@admin.register(CohortMembership)
class CohortMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "name")
    list_filter = ("course", "name")
    search_fields = (*_USER_SEARCH, "name")
    raw_id_fields = ("user",)


@admin.register(UserActivity)
class UserActivityAdmin(admin.ModelAdmin):
    list_display = ("user", "course_key", "date")
    list_filter = ("course_key",)
    search_fields = (*_USER_SEARCH, "course_key")
    raw_id_fields = ("user",)
    date_hierarchy = "date"


@admin.register(UserAttribute)
class UserAttributeAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "value")
    list_filter = ("name",)
    search_fields = (*_USER_SEARCH, "name", "value")
    raw_id_fields = ("user",)


@admin.register(ContentDate)
class ContentDateAdmin(admin.ModelAdmin):
    """Course-wide due dates, as Studio sets them; editing one here moves it for everyone."""

    list_display = ("location", "field", "date", "course")
    list_filter = ("course",)
    search_fields = ("location",)


@admin.register(UserDate)
class UserDateAdmin(admin.ModelAdmin):
    """Personal due dates (extensions); the newest per block wins."""

    list_display = ("user", "content_date", "abs_date", "reason", "created")
    search_fields = (*_USER_SEARCH, "content_date__location")
    raw_id_fields = ("user", "content_date")
