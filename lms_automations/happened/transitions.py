"""From what the LMS sends to what changed for the learner (SPEC §4.1, §5.4; host reference §1.6).

Open edX re-sends CREATED for an active enrolment, sends CHANGED for activations as well as mode
changes, repeats the passing status on every grade recompute and CERTIFICATE_CREATED on every
re-save. Before an event is matched, it is compared with the learner's last-known state in the
course (``LearnerCourseState``, locked): a repeat is marked *ignored* with the reason (visible in
admin), a real change updates the state, and some changes derive further events
(``enrollment.upgraded``, lesson and course progress).

Runs inside the learner's dispatch lock, so a learner's events arrive here in recorded order.
"""
import logging

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey

from ..models import Event, LearnerCourseState
from .thresholds import thresholds_for

log = logging.getLogger(__name__)
FREE_MODES = ("audit", "honor")


def tracked_course(event):
    """The course whose state this event changes, or None when it changes none."""
    course_key = (event.payload or {}).get("course_key")
    return course_key if course_key and event.event_type in _HANDLERS else None


def apply_transition(event):
    """Returns ``(ignored_reason or None, [(event_type, payload), ...] derived)``; updates the state."""
    if tracked_course(event) is None:
        return None, []
    state, _ = LearnerCourseState.objects.select_for_update().get_or_create(
        user_id=event.user_id, course_key=tracked_course(event))
    reason, derived = transition_state(state, event)
    state.save()
    return reason, derived


def transition_state(state, event):
    """Apply ``event`` to the locked ``state`` in memory (the caller saves it); as ``apply_transition``."""
    return _HANDLERS[event.event_type](state, event.payload, event)


def lock_states(events):
    """The learners' course states these events change, created if missing and locked, by (user, course):
    two statements for a whole batch (three when some are new)."""
    pairs = {(event.user_id, tracked_course(event)) for event in events if tracked_course(event)}
    if not pairs:
        return {}

    def locked():
        rows = LearnerCourseState.objects.select_for_update().filter(
            user_id__in={user for user, _ in pairs}, course_key__in={course for _, course in pairs}).order_by("pk")
        return {(row.user_id, row.course_key): row for row in rows if (row.user_id, row.course_key) in pairs}

    states = locked()
    missing = pairs - set(states)
    if missing:
        LearnerCourseState.objects.bulk_create(
            [LearnerCourseState(user_id=user, course_key=course) for user, course in sorted(missing)],
            ignore_conflicts=True)
        states = locked()
    return states


def state_fields():
    """The fields ``transition_state`` may change (what the caller writes back)."""
    return [field.name for field in LearnerCourseState._meta.concrete_fields
            if not field.primary_key and field.name not in ("user", "course_key")]


def _enrollment_created(state, payload, event):
    if state.enrollment_active and state.announced_activation >= state.activation_count:
        return "already enrolled: the LMS re-sent CREATED for an active enrolment", []
    if not state.enrollment_active:
        state.activation_count += 1
    state.enrollment_active = True
    state.enrollment_mode = payload.get("mode") or state.enrollment_mode
    state.announced_activation = state.activation_count
    return None, []


def _enrollment_changed(state, payload, event):
    to_mode = payload.get("to_mode")
    if not payload.get("is_active", True):
        state.enrollment_active = False
        return "deactivation: announced as enrollment.deactivated", []
    if not state.enrollment_active:
        state.enrollment_active = True
        state.activation_count += 1
        state.enrollment_mode = to_mode
        return "activation: announced as enrollment.created", []
    from_mode = state.enrollment_mode
    if to_mode == from_mode:
        return f"mode unchanged ({to_mode})", []
    state.enrollment_mode = to_mode
    payload["from_mode"] = from_mode
    derived = []
    if from_mode in FREE_MODES and to_mode not in FREE_MODES:
        derived.append(("enrollment.upgraded", {"course_key": payload["course_key"], "from_mode": from_mode,
                                                "to_mode": to_mode}))
    return None, derived


def _enrollment_deactivated(state, payload, event):
    if state.announced_deactivation >= state.activation_count and state.activation_count:
        return "already unenrolled", []
    state.enrollment_active = False
    state.announced_deactivation = state.activation_count
    # Unenrolment ends access at once (the date-based ends come from the daily access scan).
    return None, [("access.ended", {"course_key": payload["course_key"], "reason": "unenrolled",
                                    "mode": payload.get("mode") or state.enrollment_mode or "",
                                    "ended_at": event.occurred_at.isoformat() if event.occurred_at else ""})]


def _passed(state, payload, event):
    if state.passing is True:
        return "already passing: the LMS repeats the passing status on every grade recompute", []
    state.passing = True
    return None, []


def _failed(state, payload, event):
    if state.passing is not True:
        previous = "never passed" if state.passing is None else "already not passing"
        state.passing = False
        return f"{previous}: course.failed is a change from passing to not passing", []
    state.passing = False
    return None, []


def _grade_changed(state, payload, event):
    percent = payload.get("percent")
    if state.grade_percent == percent and state.passing == payload.get("passed", state.passing):
        return "grade unchanged", []
    state.grade_percent = percent
    return None, []


def _certificate_awarded(state, payload, event):
    if state.certificate_status == "downloadable":
        return "certificate already awarded: the LMS re-sends CREATED when it re-saves a certificate", []
    state.certificate_status = "downloadable"
    return None, []


def _certificate_revoked(state, payload, event):
    if state.certificate_status == "revoked":
        return "certificate already revoked", []
    state.certificate_status = "revoked"
    return None, []


def _block_completed(state, payload, event):
    """Derive lesson and course progress from the outline and the learner's completions (via the host)."""
    from ..host import get_host  # pylint: disable=import-outside-toplevel

    host = get_host()
    course_key = payload["course_key"]
    try:
        outline = host.get_course_outline(course_key)
        completed = host.completed_blocks(event.user_id, course_key)
    except Exception:  # pylint: disable=broad-except
        log.warning("lms_automations: no outline for %s; progress events not derived", course_key, exc_info=True)
        return None, []
    block_key = payload.get("block_key")
    units = [unit for unit in outline if unit.get("blocks")]
    derived = lesson_events(state, units, set(completed) | {block_key}, block_key, course_key)
    if units:
        percent = round(100 * sum(all(key in completed for key in unit["blocks"]) for unit in units) / len(units), 2)
        derived.extend(progress_thresholds_crossed(state, course_key, units, completed, block_key, percent))
        if percent >= 100 and state.course_completed_at is None:
            state.course_completed_at = event.occurred_at
            derived.append(("progress.course_completed", {"course_key": course_key}))
    return None, derived


#: Per-unit progress in ``LearnerCourseState.lessons``: the unit's block id (its key's last part).
LESSON_STARTED, LESSON_COMPLETED = "s", "c"


def _unit_id(unit_key):
    """A short, course-unique name for a unit: the vertical's block id (``unit-1``), else the key."""
    try:
        return UsageKey.from_string(unit_key).block_id
    except InvalidKeyError:
        return unit_key


def lesson_events(state, units, completed, block_key, course_key):
    """``progress.lesson_started`` / ``lesson_completed`` for the unit(s) holding ``block_key``, each
    at most once per learner and unit, decided by what ``state.lessons`` already recorded — not by
    how many blocks the host shows complete, which is the same for every event of blocks completed
    together (ADR 0018). Runs under the learner's lock; the caller saves the state."""
    lessons = dict(state.lessons or {})
    derived = []
    for unit in units:
        if block_key not in unit["blocks"]:
            continue
        unit_id = _unit_id(unit["key"])
        lesson = {"course_key": course_key, "lesson_key": unit["key"]}
        if unit_id not in lessons:
            lessons[unit_id] = LESSON_STARTED
            derived.append(("progress.lesson_started", lesson))
        if lessons[unit_id] != LESSON_COMPLETED and all(key in completed for key in unit["blocks"]):
            lessons[unit_id] = LESSON_COMPLETED
            derived.append(("progress.lesson_completed", dict(lesson)))
    state.lessons = lessons
    return derived


def progress_thresholds_crossed(state, course_key, units, completed, block_key, percent):
    """``progress.threshold_reached`` for each percentage automations ask for (and the operator's
    defaults) that this completion lifts the learner past; moves ``state.progress_percent`` on.

    A learner already past a percentage never gets it again, whenever an automation starts asking
    for it (ADR 0015). Without a known previous percentage (a learner whose progress predates the
    plugin), it is the course's share without this block: one completion crosses what it crosses.
    """
    previous = state.progress_percent
    if previous is None:
        before = set(completed) - {block_key}
        previous = round(100 * sum(all(key in before for key in unit["blocks"]) for unit in units) / len(units), 2)
    crossed = [("progress.threshold_reached", {"course_key": course_key, "percent": threshold})
               for threshold in thresholds_for("progress.threshold_reached") if previous < threshold <= percent]
    state.progress_percent = max(previous, percent)
    return crossed


_HANDLERS = {
    "enrollment.created": _enrollment_created,
    "enrollment.mode_changed": _enrollment_changed,
    "enrollment.deactivated": _enrollment_deactivated,
    "course.passed": _passed,
    "course.failed": _failed,
    "grade.changed": _grade_changed,
    "certificate.awarded": _certificate_awarded,
    "certificate.revoked": _certificate_revoked,
    "progress.block_completed": _block_completed,
}


TRACKED_EVENT_TYPES = frozenset(_HANDLERS)


def derived_events(event, derived):
    """The derived events as ``record_events`` items (keys derived from the source: recorded once)."""
    items = []
    for event_type, payload in derived:
        detail = payload.get("lesson_key") or payload.get("percent") or ""
        items.append({"event_type": event_type, "user_id": event.user_id,
                      "payload": {**payload, "user_id": event.user_id}, "occurred_at": event.occurred_at,
                      "source": Event.SOURCE.plugin,
                      "idempotency_key": f"{event.idempotency_key}>{event_type}:{detail}"})
    return items


def record_derived(event, derived):
    """Record derived events right after their source."""
    from .recording import record_events  # pylint: disable=import-outside-toplevel

    record_events(derived_events(event, derived))
