"""Whether the LMS tracks completion at all, and which automations depend on it.

edx-completion writes nothing while its waffle switch ``completion.enable_completion_tracking`` is
off (its default; Tutor's init job turns it on): no ``progress.*`` event can ever fire then, progress
conditions read nothing, and marking blocks complete raises. The plugin says so — as a permanent
step error naming the switch, and in ``automations_status`` — instead of retrying for half an hour.
"""
from .engine.errors import PermanentError

SWITCH = "completion.enable_completion_tracking"
OFF = (f"completion tracking is off in the LMS, so no block can be marked complete: turn on the waffle switch "
       f"{SWITCH} (Django admin → Django-Waffle → Switches)")
#: What cannot work without completion tracking: event types by prefix, conditions and actions by key.
PROGRESS_EVENT_PREFIX = "progress."
PROGRESS_KINDS = {"course.progress", "course.lesson_completed", "course.completed", "progress.mark_complete"}


def completion_tracking_enabled():
    """True or False from edx-completion's switch; None where edx-completion is not installed.

    Read from waffle itself, not through edx-toggles' per-thread cache: a long-lived worker thread
    (or the status command after a change) must see the switch as it is now."""
    try:
        import completion  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        from waffle import switch_is_active  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return bool(switch_is_active(SWITCH))


def require_completion_tracking():
    if completion_tracking_enabled() is False:
        raise PermanentError(OFF, detail={"switch": SWITCH})


def automations_needing_completion():
    """Names of active or testing automations that use progress events, conditions or actions."""
    from .engine.definition import dump_document  # pylint: disable=import-outside-toplevel
    from .models import Automation  # pylint: disable=import-outside-toplevel

    listening = Automation.objects.filter(status__in=[Automation.STATUS.active, Automation.STATUS.testing])
    return [automation.name for automation in listening.order_by("name")
            if _uses_progress(dump_document(automation))]


def _uses_progress(node):
    if isinstance(node, dict):
        for key in ("event", "condition", "action"):
            value = node.get(key)
            if isinstance(value, str) and (value.startswith(PROGRESS_EVENT_PREFIX) or value in PROGRESS_KINDS):
                return True
        return any(_uses_progress(value) for value in node.values())
    if isinstance(node, list):
        return any(_uses_progress(value) for value in node)
    return False
