"""The catalogue tables of SPEC §4, written out by hand so a test fails when an entry goes missing."""

# SPEC §4.1: key → payload fields besides user_id. Grouped rows of the SPEC are spelled out per key.
# The e-mail row lists `url` for the group; only a click has one, so only email.clicked declares it.
EVENT_PAYLOADS = {
    "account.registered": {"username", "email"},
    "account.activated": set(),
    "account.logged_in": set(),
    "enrollment.created": {"course_key", "org", "mode"},
    "enrollment.mode_changed": {"course_key", "from_mode", "to_mode"},
    "enrollment.upgraded": {"course_key", "from_mode", "to_mode"},
    "enrollment.deactivated": {"course_key", "mode"},
    "progress.block_completed": {"course_key", "block_key", "block_type"},
    "progress.lesson_started": {"course_key", "lesson_key"},
    "progress.lesson_completed": {"course_key", "lesson_key"},
    "progress.threshold_reached": {"course_key", "percent"},
    "progress.course_completed": {"course_key"},
    "activity.inactive": {"course_key", "days", "last_activity_at"},
    "grade.changed": {"course_key", "percent", "letter_grade", "passed"},
    "course.passed": {"course_key"},
    "course.failed": {"course_key"},
    "problem.passed": {"course_key", "problem_key", "earned", "possible", "percent"},
    "problem.failed": {"course_key", "problem_key", "earned", "possible", "percent"},
    "certificate.awarded": {"course_key", "mode", "grade", "download_url"},
    "certificate.revoked": {"course_key"},
    "program_certificate.awarded": {"program_uuid", "program_title"},
    "badge.awarded": {"badge_name", "badge_uuid"},
    "cohort.joined": {"course_key", "cohort"},
    "assignment.submitted": {"course_key", "block_key"},
    "exam.submitted": {"course_key", "block_key", "exam_type"},
    "exam.verified": {"course_key", "block_key", "exam_type"},
    "exam.rejected": {"course_key", "block_key", "exam_type"},
    "forum.thread_created": {"course_key", "thread_id"},
    "forum.response_created": {"course_key", "thread_id"},
    "forum.comment_created": {"course_key", "thread_id"},
    "idv.approved": set(),
    "idv.denied": set(),
    "order.paid": {"order_id", "sku", "course_key", "amount", "currency"},
    "order.payment_failed": {"order_id", "sku", "course_key", "amount", "currency"},
    "order.refunded": {"order_id", "sku", "course_key", "amount", "currency"},
    "subscription.renewed": {"subscription_id", "sku"},
    "subscription.cancelled": {"subscription_id", "sku"},
    "email.sent": {"message_id", "automation_id", "step_id"},
    "email.opened": {"message_id", "automation_id", "step_id"},
    "email.clicked": {"message_id", "automation_id", "step_id", "url"},
    "email.unsubscribed": set(),
    "email.resubscribed": set(),
    "tag.added": {"tag"},
    "tag.removed": {"tag"},
    "field.changed": {"field", "old", "new"},
    "list.joined": {"list"},
    "list.left": {"list"},
    "points.awarded": {"amount", "balance", "course_key"},
    "points.deducted": {"amount", "balance", "course_key"},
    "points.threshold_reached": {"balance", "threshold"},
    "automation.finished": {"automation_id", "outcome"},
}

# SPEC §4.1's de-duplication rules, as staff must read them in each description.
EVENT_DEDUPE_WORDING = {
    "enrollment.created": "once per activation",
    "enrollment.mode_changed": "differs from the last known",
    "course.passed": "only on a transition to passing",
    "course.failed": "only on a transition from passing",
    "certificate.awarded": "once per certificate",
    "activity.inactive": "once per quiet streak per n",
    "points.threshold_reached": "for the first time",
    "progress.course_completed": "once per learner and course",
}

CONDITIONS = [
    "event.field", "learner.field", "learner.has_tag", "learner.in_list", "learner.subscribed", "learner.points",
    "course.enrolled", "course.progress", "course.lesson_completed", "course.completed", "course.grade",
    "course.passed", "course.certificate", "course.last_activity", "course.days_left", "cohort.member",
    "email.engagement", "event.occurred", "automation.run",
]
ACTIONS = [
    "enrollment.enroll", "enrollment.unenroll", "enrollment.change_mode", "cohort.add", "cohort.remove",
    "progress.mark_complete", "dates.extend", "certificate.generate", "tag.add", "tag.remove", "field.set",
    "field.clear", "list.add", "list.remove", "points.award", "points.deduct", "email.send", "email.notify_staff",
    "notification.send", "webhook.send", "automation.start", "automation.exit", "learner.unsubscribe",
]
WAITS = ["duration", "until", "time_of_day", "weekday", "field_duration", "field_date", "event", "course_date"]
