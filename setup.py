"""Packaging for lms-automations, an Open edX plugin for learner automations."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def get_version():
    match = re.search(r'^__version__ = ["\']([^"\']+)["\']', read("lms_automations", "__init__.py"), re.M)
    return match.group(1)


def load_requirements(filename):
    """Requirement lines of a pip-tools .in file, following -r includes and skipping -c/comments."""
    requirements = []
    for line in read("requirements", filename).splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-c")):
            continue
        if line.startswith("-r"):
            requirements.extend(load_requirements(line[2:].strip()))
            continue
        requirements.append(line)
    return requirements


setup(
    name="lms-automations",
    version=get_version(),
    description="Automations for Open edX: when a learner does something, if conditions hold, then act.",
    long_description=read("README.md") + "\n\n" + read("CHANGELOG.md"),
    long_description_content_type="text/markdown",
    author="lms-automations contributors",
    license="AGPL 3.0",
    url="https://github.com/lms-automations/lms-automations",
    packages=find_packages(include=["lms_automations", "lms_automations.*"]),
    include_package_data=True,
    python_requires=">=3.11",
    install_requires=load_requirements("base.in"),
    zip_safe=False,
    entry_points={
        "lms.djangoapp": ["lms_automations = lms_automations.apps:LmsAutomationsConfig"],
        "cms.djangoapp": ["lms_automations = lms_automations.apps:LmsAutomationsConfig"],
        # Catalogue groups (SPEC §7.4). Built-in entries are registered here the same way a
        # third-party package registers its own.
        "lms_automations.events": [
            "account.registered = lms_automations.catalogue.event_types.accounts:AccountRegistered",
            "account.activated = lms_automations.catalogue.event_types.accounts:AccountActivated",
            "account.logged_in = lms_automations.catalogue.event_types.accounts:AccountLoggedIn",
            "enrollment.created = lms_automations.catalogue.event_types.enrollments:EnrollmentCreated",
            "enrollment.mode_changed = lms_automations.catalogue.event_types.enrollments:EnrollmentModeChanged",
            "enrollment.upgraded = lms_automations.catalogue.event_types.enrollments:EnrollmentUpgraded",
            "enrollment.deactivated = lms_automations.catalogue.event_types.enrollments:EnrollmentDeactivated",
            "access.ended = lms_automations.catalogue.event_types.access:AccessEnded",
            "access.extended = lms_automations.catalogue.event_types.access:AccessExtended",
            "progress.block_completed = lms_automations.catalogue.event_types.progress:BlockCompleted",
            "progress.lesson_started = lms_automations.catalogue.event_types.progress:LessonStarted",
            "progress.lesson_completed = lms_automations.catalogue.event_types.progress:LessonCompleted",
            "progress.threshold_reached = lms_automations.catalogue.event_types.progress:ThresholdReached",
            "progress.course_completed = lms_automations.catalogue.event_types.progress:CourseCompleted",
            "activity.inactive = lms_automations.catalogue.event_types.progress:ActivityInactive",
            "grade.changed = lms_automations.catalogue.event_types.grades:GradeChanged",
            "course.passed = lms_automations.catalogue.event_types.grades:CoursePassed",
            "course.failed = lms_automations.catalogue.event_types.grades:CourseFailed",
            "problem.passed = lms_automations.catalogue.event_types.grades:ProblemPassed",
            "problem.failed = lms_automations.catalogue.event_types.grades:ProblemFailed",
            "certificate.awarded = lms_automations.catalogue.event_types.certificates:CertificateAwarded",
            "certificate.revoked = lms_automations.catalogue.event_types.certificates:CertificateRevoked",
            "program_certificate.awarded = lms_automations.catalogue.event_types.certificates:ProgramCertificateAwarded",
            "badge.awarded = lms_automations.catalogue.event_types.certificates:BadgeAwarded",
            "cohort.joined = lms_automations.catalogue.event_types.community:CohortJoined",
            "assignment.submitted = lms_automations.catalogue.event_types.community:AssignmentSubmitted",
            "exam.submitted = lms_automations.catalogue.event_types.community:ExamSubmitted",
            "exam.verified = lms_automations.catalogue.event_types.community:ExamVerified",
            "exam.rejected = lms_automations.catalogue.event_types.community:ExamRejected",
            "forum.thread_created = lms_automations.catalogue.event_types.community:ForumThreadCreated",
            "forum.response_created = lms_automations.catalogue.event_types.community:ForumResponseCreated",
            "forum.comment_created = lms_automations.catalogue.event_types.community:ForumCommentCreated",
            "idv.approved = lms_automations.catalogue.event_types.community:IdvApproved",
            "idv.denied = lms_automations.catalogue.event_types.community:IdvDenied",
            "order.paid = lms_automations.catalogue.event_types.commerce:OrderPaid",
            "order.payment_failed = lms_automations.catalogue.event_types.commerce:OrderPaymentFailed",
            "order.refunded = lms_automations.catalogue.event_types.commerce:OrderRefunded",
            "subscription.renewed = lms_automations.catalogue.event_types.commerce:SubscriptionRenewed",
            "subscription.cancelled = lms_automations.catalogue.event_types.commerce:SubscriptionCancelled",
            "order.created = lms_automations.catalogue.event_types.commerce:OrderCreated",
            "order.cancelled = lms_automations.catalogue.event_types.commerce:OrderCancelled",
            "subscription.ended = lms_automations.catalogue.event_types.commerce:SubscriptionEnded",
            "email.sent = lms_automations.catalogue.event_types.email:EmailSent",
            "email.opened = lms_automations.catalogue.event_types.email:EmailOpened",
            "email.clicked = lms_automations.catalogue.event_types.email:EmailClicked",
            "email.unsubscribed = lms_automations.catalogue.event_types.email:EmailUnsubscribed",
            "email.resubscribed = lms_automations.catalogue.event_types.email:EmailResubscribed",
            "tag.added = lms_automations.catalogue.event_types.learner_data:TagAdded",
            "tag.removed = lms_automations.catalogue.event_types.learner_data:TagRemoved",
            "field.changed = lms_automations.catalogue.event_types.learner_data:FieldChanged",
            "list.joined = lms_automations.catalogue.event_types.learner_data:ListJoined",
            "list.left = lms_automations.catalogue.event_types.learner_data:ListLeft",
            "points.awarded = lms_automations.catalogue.event_types.learner_data:PointsAwarded",
            "points.deducted = lms_automations.catalogue.event_types.learner_data:PointsDeducted",
            "points.threshold_reached = lms_automations.catalogue.event_types.learner_data:PointsThresholdReached",
            "automation.finished = lms_automations.catalogue.event_types.automations:AutomationFinished",
            "automation.started = lms_automations.catalogue.event_types.automations:AutomationStarted",
        ],
        "lms_automations.conditions": [
            "event.field = lms_automations.conditions.event:EventField",
            "event.occurred = lms_automations.conditions.event:EventOccurred",
            "learner.field = lms_automations.conditions.learner:LearnerFieldCondition",
            "learner.has_tag = lms_automations.conditions.learner:LearnerHasTag",
            "learner.in_list = lms_automations.conditions.learner:LearnerInList",
            "learner.subscribed = lms_automations.conditions.learner:LearnerSubscribed",
            "learner.points = lms_automations.conditions.learner:LearnerPoints",
            "learner.account_status = lms_automations.conditions.learner:LearnerAccountStatus",
            "course.enrolled = lms_automations.conditions.course:CourseEnrolled",
            "course.progress = lms_automations.conditions.course:CourseProgress",
            "course.lesson_completed = lms_automations.conditions.course:CourseLessonCompleted",
            "course.completed = lms_automations.conditions.course:CourseCompleted",
            "course.grade = lms_automations.conditions.course:CourseGrade",
            "course.passed = lms_automations.conditions.course:CoursePassedCondition",
            "course.certificate = lms_automations.conditions.course:CourseCertificate",
            "course.last_activity = lms_automations.conditions.course:CourseLastActivity",
            "course.days_left = lms_automations.conditions.course:CourseDaysLeft",
            "cohort.member = lms_automations.conditions.cohort:CohortMember",
            "email.engagement = lms_automations.conditions.engagement:EmailEngagement",
            "automation.run = lms_automations.conditions.automations:AutomationRunState",
            "automation.step_reached = lms_automations.conditions.automations:AutomationStepReached",
            "commerce.subscription_active = lms_automations.conditions.commerce:SubscriptionActive",
            "commerce.last_purchase = lms_automations.conditions.commerce:LastPurchase",
        ],
        "lms_automations.actions": [
            "enrollment.enroll = lms_automations.actions.enrollment:EnrollmentEnroll",
            "enrollment.unenroll = lms_automations.actions.enrollment:EnrollmentUnenroll",
            "enrollment.change_mode = lms_automations.actions.enrollment:EnrollmentChangeMode",
            "cohort.add = lms_automations.actions.cohorts:CohortAdd",
            "cohort.remove = lms_automations.actions.cohorts:CohortRemove",
            "progress.mark_complete = lms_automations.actions.progress:ProgressMarkComplete",
            "dates.extend = lms_automations.actions.progress:DatesExtend",
            "certificate.generate = lms_automations.actions.certificates:CertificateGenerate",
            "tag.add = lms_automations.actions.learner_data:TagAdd",
            "tag.remove = lms_automations.actions.learner_data:TagRemove",
            "field.set = lms_automations.actions.learner_data:FieldSet",
            "field.clear = lms_automations.actions.learner_data:FieldClear",
            "list.add = lms_automations.actions.learner_data:ListAdd",
            "list.remove = lms_automations.actions.learner_data:ListRemove",
            "points.award = lms_automations.actions.learner_data:PointsAward",
            "points.deduct = lms_automations.actions.learner_data:PointsDeduct",
            "email.send = lms_automations.actions.messaging:EmailSend",
            "email.notify_staff = lms_automations.actions.messaging:EmailNotifyStaff",
            "notification.send = lms_automations.actions.messaging:NotificationSend",
            "learner.unsubscribe = lms_automations.actions.messaging:LearnerUnsubscribe",
            "webhook.send = lms_automations.actions.webhook:WebhookSend",
            "order.refund = lms_automations.actions.commerce:OrderRefund",
            "subscription.cancel = lms_automations.actions.commerce:SubscriptionCancel",
            "automation.start = lms_automations.actions.automation_control:AutomationStart",
            "automation.exit = lms_automations.actions.automation_control:AutomationExit",
        ],
        "lms_automations.waits": [
            "duration = lms_automations.waits.timing:DurationWait",
            "until = lms_automations.waits.timing:UntilWait",
            "time_of_day = lms_automations.waits.timing:TimeOfDayWait",
            "weekday = lms_automations.waits.timing:WeekdayWait",
            "field_duration = lms_automations.waits.fields:FieldDurationWait",
            "field_date = lms_automations.waits.fields:FieldDateWait",
            "event = lms_automations.waits.events:EventWait",
            "course_date = lms_automations.waits.course_dates:CourseDateWait",
        ],
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Education",
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
