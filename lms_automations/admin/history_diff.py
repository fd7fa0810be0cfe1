"""What changed in an automation, edit by edit, in words: field, old → new, with JSON params and
conditions compared key path by key path (``params.days: 2 → 3``), and who made the change.

Read from django-simple-history's records of the automation, its triggers, steps and exit
conditions. Records of one person made within a few seconds are one edit (one save of the admin
page, one import). Saving a definition re-creates its triggers and exit conditions, so a removed and
an added trigger at the same position are shown as that trigger changed (or not at all when equal).
"""
import dataclasses
import datetime
import json

from django.utils.translation import gettext as _

from ..models import Automation, ExitCondition, Step, Trigger

#: Records of the same person this close together belong to one edit.
SAME_EDIT = datetime.timedelta(seconds=5)
LONGEST_VALUE = 160
FIELDS = {
    Automation: ("name", "description", "status", "labels", "scope_courses", "scope_orgs", "entry_policy",
                 "entry_period_months", "entry_period", "execution"),
    Trigger: ("position", "event_type", "params", "filter"),
    Step: ("step_id", "step_type", "kind", "parent_id", "side", "position", "params", "condition"),
    ExitCondition: ("position", "event_type", "params", "filter", "outcome"),
}
JSON_FIELDS = {"filter", "params", "condition", "labels", "scope_courses", "scope_orgs"}
ADDED, CHANGED, REMOVED = "+", "~", "-"


@dataclasses.dataclass
class Change:
    """One object's change within an edit: what it is, how it changed, and the lines that say it."""

    model: type
    object_id: int
    what: str
    how: str
    lines: list
    position: int = 0
    values: dict = dataclasses.field(default_factory=dict)

    @property
    def how_text(self):
        return {ADDED: _("added"), CHANGED: _("changed"), REMOVED: _("removed")}[self.how]


@dataclasses.dataclass
class Edit:
    at: datetime.datetime
    who: str
    changes: list


def automation_edits(automation):
    """The automation's edits, newest first, each with its changes in order."""
    records = []
    for model in FIELDS:
        history = model.history.model.objects.select_related("history_user").order_by("history_date", "history_id")
        rows = history.filter(id=automation.pk) if model is Automation else history.filter(automation_id=automation.pk)
        records += [(model, record) for record in rows]
    records.sort(key=lambda item: (item[1].history_date, item[0].__name__, item[1].history_id))
    step_names = {record.id: record.step_id for model, record in records if model is Step}
    previous, edits = {}, []
    for model, record in records:
        before = previous.get((model, record.id))
        previous[(model, record.id)] = record
        who = record.history_user.get_username() if record.history_user else ""
        if not edits or edits[-1].who != who or record.history_date - edits[-1].at > SAME_EDIT:
            edits.append(Edit(at=record.history_date, who=who, changes=[]))
        else:
            edits[-1].at = record.history_date
        change = _change(model, record, before, step_names)
        if change is not None:
            edits[-1].changes.append(change)
    for edit in edits:
        edit.changes = _pair_recreated(edit.changes)
    return [edit for edit in reversed(edits) if edit.changes]


def _change(model, record, before, step_names):
    values = _values(model, record, step_names)
    how = {"+": ADDED, "-": REMOVED}.get(record.history_type, CHANGED)
    if how == ADDED:
        lines = [(_label(model, name), None, value) for name, value in _flat_items(values)
                 if value not in ("", None, "[]", "{}")]
    elif how == REMOVED:
        lines = []
    else:
        old = _values(model, before, step_names) if before is not None else {}
        lines = diff_values(model, old, values)
        if not lines:
            return None
    return Change(model=model, object_id=record.id, what=_what(model, record), how=how, lines=lines,
                  position=getattr(record, "position", 0), values=values)


def _values(model, record, step_names):
    values = {name: getattr(record, name, None) for name in FIELDS[model]}
    if "parent_id" in values:
        values["parent_id"] = step_names.get(values["parent_id"], values["parent_id"]) or ""
    if values.get("entry_period") is not None:
        values["entry_period"] = str(values["entry_period"])
    return values


def diff_values(model, old, new):
    """``[(label, old, new)]`` for each field — and each key path inside JSON fields — that differs."""
    lines = []
    for name in FIELDS[model]:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name in JSON_FIELDS and isinstance(before, (dict, list)) and isinstance(after, (dict, list)):
            flat_old, flat_new = _leaves(before), _leaves(after)
            for path in sorted(set(flat_old) | set(flat_new), key=_path_order(flat_old, flat_new)):
                if flat_old.get(path, _MISSING) != flat_new.get(path, _MISSING):
                    lines.append((f"{_label(model, name)}{path}", _shown(flat_old.get(path)),
                                  _shown(flat_new.get(path))))
        else:
            lines.append((_label(model, name), _shown(before), _shown(after)))
    return lines


_MISSING = object()


def _path_order(*flats):
    order = {}
    for flat in flats:
        for path in flat:
            order.setdefault(path, len(order))
    return order.get


def _leaves(value):
    """The key paths of a JSON value, an empty top (``[]``, ``{}``) being no leaf at all."""
    return {path: leaf for path, leaf in flatten(value) if path or leaf not in ([], {})}


def flatten(value, path=""):
    """``(key path, leaf)`` pairs: ``.params.days``, ``.all[0].condition``; an empty dict or list is a leaf."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def _flat_items(values):
    for name, value in values.items():
        if name in JSON_FIELDS and isinstance(value, (dict, list)) and value:
            for path, leaf in flatten(value):
                yield name + path, _shown(leaf)
        else:
            yield name, _shown(value)


def _shown(value):
    if value is None or value == "":
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE - 1] + "…"


def _label(model, name):
    base = name.split(".")[0].split("[")[0]
    if base == "parent_id":
        return str(_("inside branch"))
    try:
        label = str(model._meta.get_field(base).verbose_name)
    except Exception:  # pylint: disable=broad-except
        label = base
    return label + name[len(base):]


def _what(model, record):
    if model is Automation:
        return _("The automation")
    if model is Step:
        return _("Step “%(id)s”") % {"id": record.step_id}
    number = (record.position or 0) + 1
    if model is Trigger:
        return _("Trigger %(number)d (%(event)s)") % {"number": number, "event": record.event_type}
    return _("Exit condition %(number)d (%(event)s)") % {"number": number, "event": record.event_type}


def _pair_recreated(changes):
    """A trigger or exit condition removed and one added at the same position in the same edit is
    the same rule re-saved: show what differs between them, or nothing."""
    removed = {(c.model, c.position): c for c in changes if c.how == REMOVED and c.model in (Trigger, ExitCondition)}
    paired, result = set(), []
    for change in changes:
        key = (change.model, change.position)
        if change.how == ADDED and key in removed and key not in paired:
            paired.add(key)
            old = removed[key]
            lines = _recreated_lines(change, old)
            if lines:
                result.append(dataclasses.replace(change, how=CHANGED, lines=lines))
            continue
        result.append(change)
    return [c for c in result if not (c.how == REMOVED and (c.model, c.position) in paired)]


def _recreated_lines(added, removed):
    return diff_values(added.model, removed.values, added.values)
