"""A run's timeline in words: one sentence per ``RunLog`` row, times in the viewer's zone.

The engine writes each row's ``kind``, a short English ``message`` and a ``detail`` object; these
sentences are made from the kind and the detail (translatable), and fall back to the message for
rows this module does not know (an extension's, or an older engine's).
"""
import dataclasses
import json
import re

from django.utils.translation import gettext as _

from ..models import Run, RunLog
from .viewer_time import moment

_STARTED_BY_EVENT = re.compile(r"^started by (?P<event>\S+) \(trigger (?P<number>\d+)\)$")
_ARRIVED = re.compile(r"^(?P<event>\S+) arrived$")
_TIMED_OUT = re.compile(r"^no (?P<event>\S+) event before the timeout")
_EXIT_MET = re.compile(r"^exit condition (?P<number>\d+) met: (?P<event>\S+)$")
#: Params worth naming in an action's sentence, in this order (at most two are named).
_TELLING_PARAMS = ("subject", "tags", "list", "field", "amount", "course_key", "mode", "cohort", "url", "to")


@dataclasses.dataclass
class Line:
    at: str
    step_id: str
    kind: str
    kind_label: str
    sentence: str
    detail_json: str


def timeline(run, zone):
    """Every line of ``run``'s timeline, oldest first."""
    rows = list(RunLog.objects.filter(run=run).order_by("at", "id"))
    return [
        Line(at=moment(row.at, zone, with_zone=False), step_id=row.step_id, kind=row.kind,
             kind_label=row.get_kind_display(), sentence=sentence(row, zone, is_last=index == len(rows) - 1),
             detail_json=json.dumps(row.detail, indent=2, ensure_ascii=False, default=str) if row.detail else "")
        for index, row in enumerate(rows)
    ]


def sentence(row, zone, *, is_last=True):
    """What ``row`` says, as a sentence a course team member reads."""
    detail = row.detail if isinstance(row.detail, dict) else {}
    writer = _WRITERS.get(row.kind)
    text = writer(row, detail, zone, is_last) if writer else None
    return text or _capitalised(row.message)


def _started(row, detail, zone, is_last):
    match = _STARTED_BY_EVENT.match(row.message)
    if match:
        return _("Entered the flow: %(event)s happened (trigger %(number)s).") % {
            "event": _event_name(match["event"]), "number": match["number"]}
    if row.message.startswith("started by "):
        return _("Entered the flow: started by %(who)s.") % {"who": row.message.removeprefix("started by ")}
    return _("Entered the flow.")


def _action(row, detail, zone, is_last):
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel

    key = row.message.removesuffix(" done")
    entry = get_actions().get(key)
    label = str(entry.label) if entry is not None and entry.label else key
    params = detail.get("params") if isinstance(detail.get("params"), dict) else {}
    named = [f"{name} {_short(params[name])}" for name in _TELLING_PARAMS if params.get(name) not in (None, "", [])]
    result = detail.get("result") if isinstance(detail.get("result"), dict) else {}
    text = _("Did “%(label)s” (%(key)s)") % {"label": label, "key": key}
    if named:
        text += ": " + ", ".join(named[:2])
    if result.get("test") or "sent_to" in result:
        text += " — " + _("sent to %(who)s") % {"who": ", ".join(map(str, result.get("sent_to") or ["the tester"]))}
    return text + "."


def _branch(row, detail, zone, is_last):
    leaves = [leaf for leaf in detail.get("leaves") or [] if isinstance(leaf, dict)]
    side = detail.get("side")
    if side not in ("yes", "no"):
        return None
    side_name = _("yes") if side == "yes" else _("no")
    # The whole condition's answer first: a leaf that was false can still lead to "yes" (under "not").
    held = detail.get("result")
    head = (_("The condition held") if held else _("The condition did not hold")) if isinstance(held, bool) \
        else _("The condition")
    said = "; ".join(_leaf(leaf) for leaf in leaves)
    if not said:
        return _("%(head)s → took the %(side)s side.") % {"head": head, "side": side_name}
    return _("%(head)s → took the %(side)s side: %(conditions)s.") % {"head": head, "side": side_name,
                                                                     "conditions": said}


def _leaf(leaf):
    from ..catalogue import get_conditions  # pylint: disable=import-outside-toplevel

    params = leaf.get("params") if isinstance(leaf.get("params"), dict) else {}
    entry = get_conditions().get(leaf.get("condition") or "")
    label = str(entry.label) if entry is not None and getattr(entry, "label", "") else leaf.get("condition")
    values = {"label": label, "key": leaf.get("condition"), "value": _("true") if leaf.get("result") else _("false"),
              "course": params.get("course_key", "")}
    text = (_("“%(label)s” (%(key)s) for %(course)s was %(value)s") if values["course"] else
            _("“%(label)s” (%(key)s) was %(value)s")) % values
    observed = leaf.get("observed")
    if observed is not None and not isinstance(observed, bool):
        text += " " + _("(saw %(observed)s)") % {"observed": _short(observed)}
    return text


def _wait(row, detail, zone, is_last):
    if detail.get("event"):
        until = detail.get("timeout_at")
        if until:
            return _("Waiting for %(event)s, at most until %(when)s.") % {
                "event": _event_name(detail["event"]), "when": moment(until, zone)}
        return _("Waiting for %(event)s.") % {"event": _event_name(detail["event"])}
    if "due_at" in detail and row.message == "the wait was already over":
        return _("The wait was already over; went on.")
    if detail.get("due_at"):
        template = _("Waiting until %(when)s.") if is_last else _("Waited until %(when)s.")
        return template % {"when": moment(detail["due_at"], zone)}
    return None


def _resumed(row, detail, zone, is_last):
    if row.message == "the wait is over":
        return _("The wait was over; went on.")
    match = _ARRIVED.match(row.message)
    if match:
        return _("%(event)s happened; went on.") % {"event": _event_name(match["event"])}
    match = _TIMED_OUT.match(row.message)
    if match:
        return _("No %(event)s before the time-out; went on.") % {"event": _event_name(match["event"])}
    return None


def _ended(row, detail, zone, is_last):
    status = detail.get("status")
    if status == Run.STATUS.fulfilled:
        return _("Reached the end of the flow.")
    match = _EXIT_MET.match(row.message)
    if match:
        return _("Left the flow: exit condition %(number)s (%(event)s) was met → %(outcome)s.") % {
            "number": match["number"], "event": _event_name(match["event"]), "outcome": _status_name(status)}
    if status:
        return _("Ended as %(outcome)s: %(why)s.") % {"outcome": _status_name(status), "why": row.message}
    return None


def _error(row, detail, zone, is_last):
    return _("Failed: %(why)s.") % {"why": row.message.rstrip(".")}


def _retry(row, detail, zone, is_last):
    return _("Failed for now, will retry: %(why)s.") % {"why": row.message.rstrip(".")}


def _staff(row, detail, zone, is_last):
    return _("Staff: %(what)s.") % {"what": row.message.rstrip(".")}


_WRITERS = {
    RunLog.KIND.started: _started, RunLog.KIND.action: _action, RunLog.KIND.branch: _branch,
    RunLog.KIND.wait: _wait, RunLog.KIND.resumed: _resumed, RunLog.KIND.ended: _ended,
    RunLog.KIND.error: _error, RunLog.KIND.retry: _retry, RunLog.KIND.staff: _staff,
}


def _event_name(key):
    from ..catalogue import get_event_type  # pylint: disable=import-outside-toplevel

    entry = get_event_type(key)
    label = str(getattr(entry, "label", "") or "")
    return f"“{label}” ({key})" if label and label != key else key


def _status_name(status):
    return str(dict(Run.STATUS).get(status, status or "")).lower()


def _short(value, limit=60):
    text = value if isinstance(value, str) else ", ".join(map(str, value)) if isinstance(value, list) else \
        json.dumps(value, ensure_ascii=False, default=str)
    text = f"“{text}”" if isinstance(value, str) else text
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _capitalised(message):
    return (message[:1].upper() + message[1:]) if message else ""
