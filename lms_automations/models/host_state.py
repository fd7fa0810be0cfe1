"""The last-known host state per learner and course, to turn repeated host signals into changes.

Open edX re-sends enrolment, passing-status and certificate signals (host reference §1.6); comparing
with what was last seen here is how one learner-visible change becomes one event.
"""
from django.conf import settings
from django.db import models


class LearnerCourseState(models.Model):
    """
    What the plugin last saw of one learner in one course.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key = models.CharField(max_length=255)
    enrollment_mode = models.CharField(max_length=100, blank=True, default="")
    enrollment_active = models.BooleanField(default=False)
    # Incremented on every activation, so that "enrolment created" is once per activation; the two
    # "announced" counters say which activation's created / deactivated event already went out.
    activation_count = models.PositiveIntegerField(default=0)
    announced_activation = models.PositiveIntegerField(default=0)
    announced_deactivation = models.PositiveIntegerField(default=0)
    passing = models.BooleanField(null=True, blank=True)
    grade_percent = models.FloatField(null=True, blank=True)
    certificate_status = models.CharField(max_length=32, blank=True, default="")
    progress_percent = models.FloatField(null=True, blank=True)
    # Per unit (lesson) the learner began: {vertical block id: "s" started | "c" completed}, so each
    # lesson event is derived once however close together its blocks' completions arrive (ADR 0018).
    lessons = models.JSONField(default=dict, blank=True)
    course_completed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "lms_automations"
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key"], name="lmsauto_coursestate_unique"),
        ]
        indexes = [models.Index(fields=["course_key", "last_activity_at"], name="lmsauto_coursestate_activity")]

    def __str__(self):
        return f"user {self.user_id} in {self.course_key}"
