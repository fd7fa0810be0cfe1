"""In-platform notifications of the LMS's existing types (e-mail: ``HostBackend.send_email``)."""
from ...engine.errors import PermanentError, SilentFailure, TransientError
from .errors import course_key_of


def _notification_app(notification_type):
    """The app a notification type belongs to; the LMS only renders types it already knows."""
    try:
        from openedx.core.djangoapps.notifications import base_notification  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise PermanentError("this LMS has no in-platform notifications app") from None
    # The public name holds the types with the site's overrides applied; where a release only has the
    # private table, that is the list.
    types = getattr(base_notification, "COURSE_NOTIFICATION_TYPES", None) or getattr(
        base_notification, "_COURSE_NOTIFICATION_TYPES", {})
    known = types.get(notification_type)
    if known is None:
        raise PermanentError(f"the LMS has no notification type {notification_type!r}; it knows: "
                             + ", ".join(sorted(types)))
    return known["notification_app"]


def _notifications_off(course_key):
    """Why the LMS would drop a notification for this course, or None when it would send it.

    The LMS's notification task silently does nothing while the course waffle flag
    ``notifications.enable_notifications`` is off (its default); later releases gate on a
    ``notifications.disable_notifications`` flag instead. Either way the step must not say "sent".
    """
    try:
        from openedx.core.djangoapps.notifications.config import waffle  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    enable = getattr(waffle, "ENABLE_NOTIFICATIONS", None)
    if enable is not None and not enable.is_enabled(course_key):
        return (f"in-platform notifications are off for {course_key}: the LMS sends none while the course waffle "
                "flag notifications.enable_notifications is off (turn it on for the course, or for everyone, in "
                "Django admin → Waffle)")
    disable = getattr(waffle, "DISABLE_NOTIFICATIONS", None)
    if disable is not None and disable.is_enabled():
        return ("in-platform notifications are switched off in the LMS (the waffle flag "
                "notifications.disable_notifications is on)")
    return None


class NotificationsMixin:
    def send_notification(self, user_id, course_key, notification_type, context):
        """Sends ``USER_NOTIFICATION_REQUESTED``, which the LMS's notifications app turns into its
        ``send_notifications`` task; the type's template must render with ``context``."""
        from openedx_events.learning.data import UserNotificationData  # pylint: disable=import-outside-toplevel
        from openedx_events.learning.signals import USER_NOTIFICATION_REQUESTED  # pylint: disable=import-outside-toplevel

        key = course_key_of(course_key)
        app_name = _notification_app(notification_type)  # an unknown type is the team's mistake: said first
        off = _notifications_off(key)
        if off:
            raise SilentFailure(off, detail={"course_key": str(key)})
        context = {str(name): str(value) for name, value in (context or {}).items()}
        data = UserNotificationData(
            user_ids=[int(user_id)], notification_type=notification_type,
            content_url=context.pop("content_url", ""), app_name=app_name,
            course_key=key, context=context,
        )
        for _receiver, response in USER_NOTIFICATION_REQUESTED.send_event(notification_data=data):
            if isinstance(response, Exception):
                raise TransientError(f"the LMS could not queue the notification: {response}")
