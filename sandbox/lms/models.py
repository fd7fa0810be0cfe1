"""Tables of the stand-in LMS, shaped after the edx-platform tables the plugin reads.

Only what automations look at is modelled. Course keys and usage keys are stored as strings (the
real LMS uses opaque-keys model fields; strings keep the sandbox free of that dependency in
migrations) and parsed with opaque-keys where they are used.
"""
import uuid

from django.conf import settings
from django.db import models
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning.signals import (
    CERTIFICATE_CHANGED,
    CERTIFICATE_CREATED,
    COHORT_MEMBERSHIP_CHANGED,
)

from . import payloads

#: The mode edx-platform falls back to when a course offers neither audit nor honor.
DEFAULT_MODE_SLUG = "audit"
#: Modes that cost nothing; every other mode is a paid (upgraded) track.
FREE_MODES = ("audit", "honor")


def default_modes():
    return ["audit", "verified"]


class UserProfile(models.Model):
    """What the learner told the LMS about themselves, beside Django's user, as ``auth_userprofile``.

    ``name`` is the full name given at registration; openedx-events payloads carry it as ``pii.name``.
    ``time_zone`` is a user preference in edx-platform; here it sits on the profile for simplicity.

    .. pii: full name, language, country, time zone, year of birth, extended profile data in meta
    .. pii_types: name, location, birth_date, other
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(max_length=255, blank=True, db_index=True)
    language = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=2, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    year_of_birth = models.PositiveSmallIntegerField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.user} ({self.name})"

    def get_meta(self):
        """The extended profile (custom registration fields), as edx-platform's ``UserProfile.get_meta``."""
        return dict(self.meta or {})


class Course(models.Model):
    """A course run with the modes learners can enrol in (edx-platform's CourseOverview + CourseMode).

    .. no_pii:
    """

    course_key = models.CharField(max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    org = models.CharField(max_length=255, db_index=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    modes = models.JSONField(default=default_modes, help_text='Mode slugs offered, e.g. ["audit", "verified"].')
    modified = models.DateTimeField(auto_now=True, help_text="When the course was last edited (grade events).")

    class Meta:
        ordering = ["course_key"]

    def __str__(self):
        return self.course_key

    @property
    def key(self):
        return CourseKey.from_string(self.course_key)

    @property
    def default_mode(self):
        """The mode an enrolment starts in when none is asked for (audit, else honor, else audit)."""
        for slug in FREE_MODES:
            if slug in self.modes:
                return slug
        return DEFAULT_MODE_SLUG

    def block_keys(self):
        """Usage keys (strings) of every leaf block, in outline order."""
        return list(
            Block.objects.filter(unit__course=self)
            .order_by("unit__position", "position")
            .values_list("usage_key", flat=True)
        )


class Unit(models.Model):
    """A unit (vertical) of the course outline: the level at which Open edX counts progress.

    .. no_pii:
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="units")
    usage_key = models.CharField(max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["course", "position"]

    def __str__(self):
        return self.display_name

    @property
    def key(self):
        return UsageKey.from_string(self.usage_key)


class Block(models.Model):
    """A leaf block of a unit (html, video, problem…): what a completion is recorded against.

    .. no_pii:
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="blocks")
    usage_key = models.CharField(max_length=255, unique=True)
    block_type = models.CharField(max_length=64)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["unit", "position"]

    def __str__(self):
        return self.usage_key

    @property
    def key(self):
        return UsageKey.from_string(self.usage_key)


class CourseEnrollment(models.Model):
    """One learner's enrolment in one course; deactivated, never deleted, on unenrolment.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    mode = models.CharField(max_length=100, default=DEFAULT_MODE_SLUG)
    is_active = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="sandbox_lms_enrollment_unique")]
        ordering = ["-created"]

    def __str__(self):
        state = "active" if self.is_active else "inactive"
        return f"{self.user} in {self.course} ({self.mode}, {state})"


class PersistentCourseGrade(models.Model):
    """The learner's last computed course grade; ``passed_timestamp`` is set once, never cleared.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_grades")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grades")
    percent_grade = models.FloatField(default=0.0, help_text="A fraction, 0.0–1.0, as in Open edX.")
    letter_grade = models.CharField(max_length=255, blank=True)
    passed_timestamp = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="sandbox_lms_grade_unique")]

    def __str__(self):
        return f"{self.user} in {self.course}: {self.percent_grade:.0%}"

    @property
    def passed(self):
        """Whether the last grade passes: below the pass mark the letter grade is empty, as in Open edX."""
        return bool(self.letter_grade)


class CertificateStatuses(models.TextChoices):
    downloadable = "downloadable", "Downloadable"
    notpassing = "notpassing", "Not passing"
    unavailable = "unavailable", "Unavailable"


class GeneratedCertificate(models.Model):
    """A course certificate. Every save announces itself, as edx-platform's model does.

    ``download_url`` stays empty for web (HTML) certificates, which is what edx-platform sends today.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="certificates")
    status = models.CharField(
        max_length=32, choices=CertificateStatuses.choices, default=CertificateStatuses.unavailable
    )
    mode = models.CharField(max_length=100, default=DEFAULT_MODE_SLUG)
    grade = models.CharField(max_length=5, blank=True)
    download_url = models.CharField(max_length=128, blank=True)
    verify_uuid = models.CharField(max_length=32, blank=True, default="", db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="sandbox_lms_certificate_unique")]

    def __str__(self):
        return f"{self.user} in {self.course}: {self.status}"

    def save(self, *args, **kwargs):
        """Save, then send CHANGED, and CREATED too while downloadable — on every save, so re-saves repeat it.

        Admin edits go through here as well, which is how staff edits behave in the real LMS.
        """
        if not self.verify_uuid:
            self.verify_uuid = uuid.uuid4().hex
        super().save(*args, **kwargs)
        CERTIFICATE_CHANGED.send_event(certificate=payloads.certificate_data(self), time=self.modified)
        if self.status == CertificateStatuses.downloadable:
            CERTIFICATE_CREATED.send_event(certificate=payloads.certificate_data(self), time=self.modified)


class CohortMembership(models.Model):
    """The cohort a learner is in for a course (at most one per course, as in Open edX).

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohort_memberships")
    name = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="sandbox_lms_cohort_unique")]

    def __str__(self):
        return f"{self.user} in {self.course}: {self.name}"

    def save(self, *args, **kwargs):
        """Announce the membership *before* writing it: receivers may not find the row yet (as in Open edX)."""
        COHORT_MEMBERSHIP_CHANGED.send_event(cohort=payloads.cohort_data(self))
        super().save(*args, **kwargs)


class UserActivity(models.Model):
    """One row per day a learner was active in a course (edx-platform's course_goals.UserActivity).

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_activity")
    course_key = models.CharField(max_length=255, db_index=True)
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key", "date"], name="sandbox_lms_activity_unique")
        ]
        ordering = ["-date"]
        verbose_name_plural = "user activity"

    def __str__(self):
        return f"{self.user} in {self.course_key} on {self.date}"


class UserAttribute(models.Model):
    """Free-form key/value data about a user; ``is_marketable`` ("true"/"false") records e-mail consent.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=255, db_index=True)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="sandbox_lms_attribute_unique")]

    def __str__(self):
        return f"{self.user}: {self.name}={self.value}"

    @classmethod
    def set_user_attribute(cls, user, name, value):
        cls.objects.update_or_create(user=user, name=name, defaults={"value": value})

    @classmethod
    def get_user_attribute(cls, user, name):
        return cls.objects.filter(user=user, name=name).values_list("value", flat=True).first()


class ProblemScore(models.Model):
    """The learner's last score on a problem block (edx-platform's ``courseware_studentmodule`` grade
    and max_grade, already weighted): written before PROBLEM_WEIGHTED_SCORE_CHANGED is sent.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_scores")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="scores")
    earned = models.FloatField()
    possible = models.FloatField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "block"], name="sandbox_lms_problemscore_unique")]

    def __str__(self):
        return f"{self.user} on {self.block}: {self.earned:g}/{self.possible:g}"


class ContentDate(models.Model):
    """A course-wide date of a block (edx-when's ``ContentDate``): what Studio sets as a due date.

    .. no_pii:
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="content_dates")
    location = models.CharField(max_length=255, help_text="The usage key of the dated block.")
    field = models.CharField(max_length=255, default="due")
    date = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "field"], name="sandbox_lms_content_date_unique")]
        ordering = ["course", "date"]

    def __str__(self):
        return f"{self.location} {self.field} {self.date:%Y-%m-%d}"


class UserDate(models.Model):
    """One learner's own date for a block (edx-when's ``UserDate``: a personal extension); the
    newest row wins, as in edx-when, so earlier extensions stay as their history.

    .. no_pii:
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_dates")
    content_date = models.ForeignKey(ContentDate, on_delete=models.CASCADE, related_name="user_dates")
    abs_date = models.DateTimeField()
    reason = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.user}: {self.content_date.location} until {self.abs_date:%Y-%m-%d}"
