"""Stand-in of ``openedx.core.djangoapps.notifications.base_notification`` (two of the real types)."""

COURSE_NOTIFICATION_TYPES = {
    "course_updates": {"notification_app": "updates", "content_template": "<p>{course_update_content}</p>"},
    "ora_grade_assigned": {"notification_app": "grading", "content_template": "<p>{ora_name}</p>"},
}
