"""Learner data the plugin owns: tags, lists, fields, points and marketing consent (SPEC §4.3).

Open edX has no user tags, points or free-form learner fields, so the plugin keeps its own; all of
it is removed when the LMS retires the learner.
"""
from django.conf import settings
from django.db import models
from model_utils.models import TimeStampedModel


class LearnerTag(models.Model):
    """
    A tag on a learner, e.g. ``active`` or ``vip``.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=100, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "lms_automations"
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="lmsauto_tag_unique")]

    def __str__(self):
        return self.tag


class LearnerList(TimeStampedModel):
    """
    A named list of learners that automations add to and remove from.

    .. no_pii:
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")

    class Meta:
        app_label = "lms_automations"
        ordering = ["slug"]

    def __str__(self):
        return self.name


class ListMembership(models.Model):
    """
    A learner's membership of a list.

    .. no_pii:
    """

    learner_list = models.ForeignKey(LearnerList, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "lms_automations"
        constraints = [models.UniqueConstraint(fields=["learner_list", "user"], name="lmsauto_listmember_unique")]

    def __str__(self):
        return f"user {self.user_id} in {self.learner_list_id}"

class LearnerField(models.Model):
    """
    A plugin-owned field on a learner (``field.set`` / ``field.clear``, waits on a field's value).

    .. pii: values are set by course staff and automations and can hold anything about the learner.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    value = models.JSONField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "lms_automations"
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="lmsauto_field_unique")]

    def __str__(self):
        return f"{self.name}={self.value!r}"


class PointsEntry(models.Model):
    """
    One line of a learner's points ledger (positive awards, negative deductions).

    ``idempotency_key`` makes an award from a step happen exactly once however often it is retried.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    amount = models.IntegerField()
    course_key = models.CharField(max_length=255, blank=True, default="")
    reason = models.CharField(max_length=255, blank=True, default="")
    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "lms_automations"
        ordering = ["-created", "-id"]
        verbose_name_plural = "points entries"
        indexes = [models.Index(fields=["user", "course_key"], name="lmsauto_points_learner")]

    def __str__(self):
        return f"{self.amount:+d} points for user {self.user_id}"

class MarketingConsent(models.Model):
    """
    Whether a learner accepts marketing e-mail from automations (unsubscribe link, admin, host).

    .. no_pii:
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscribed = models.BooleanField(default=True)
    changed_at = models.DateTimeField(auto_now=True)
    source = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        app_label = "lms_automations"

    def __str__(self):
        return f"user {self.user_id}: {'subscribed' if self.subscribed else 'unsubscribed'}"
