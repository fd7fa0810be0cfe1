"""The definitions the engine reads on every batch — automations, triggers, exits, steps — cached.

A snapshot of every definition row is built once per *definitions version* and kept per process.
The version lives in the Django cache and is bumped on every save or delete of an automation,
trigger, exit condition or step (now, and again when the transaction commits, so a worker that
rebuilt from the uncommitted past rebuilds again): every worker sees an edit at once, provided
the cache is shared between processes (the LMS's is). A per-process cache without that version
check would serve old flows until restarted.

The snapshot answers which automations listen to an event type, whether anything listens at all
(``listens``: events nobody listens to are recorded as history and cost no dispatch), and each
step's definition with its successor precomputed (no tree walks per step), and the thresholds
automations ask for (``thresholds``: the inactivity scan's days, the progress percentages).
"""
import dataclasses
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..catalogue import thresholds
from ..happened.transitions import TRACKED_EVENT_TYPES
from ..models import Automation, ExitCondition, Step, Trigger

_VERSION_KEY = "lms_automations:definitions_version"
_LISTENING = (Automation.STATUS.active, Automation.STATUS.testing)
_local = {}
#: The host's side (is anything listening? a sync automation?) reads the shared version at most
#: once per HOST_VERSION_SECONDS per process: a definition edit reaches it within that time.
HOST_VERSION_SECONDS = 1.0
_host_version = {"at": None, "version": None}


@dataclasses.dataclass
class StepDef:
    """One step as the engine runs it: the row's fields plus where the flow goes next."""

    pk: int
    automation_id: int
    step_id: str
    step_type: str
    kind: str
    params: dict
    condition: object
    next_id: str = None
    yes_first: str = None
    no_first: str = None


@dataclasses.dataclass
class AutomationDef:
    automation: Automation
    #: event_type -> [(position, filter with the params in front, listening since)]
    triggers: dict = dataclasses.field(default_factory=dict)
    exits: list = dataclasses.field(default_factory=list)  # [(position, event_type, filter, outcome)]
    steps: dict = dataclasses.field(default_factory=dict)  # step_id -> StepDef
    first_step_id: str = None

    @property
    def listening(self):
        return self.automation.status in _LISTENING


class Definitions:
    """Every definition at one version, indexed for matching and stepping."""

    def __init__(self, automations, triggers, exits, steps):
        self.automations = {automation.pk: AutomationDef(automation) for automation in automations}
        self.triggers_by_type, self.exits_by_type, self.awaited_types = {}, {}, set()
        self._thresholds = ThresholdsAsked()
        for trigger in triggers:
            definition = self.automations.get(trigger.automation_id)
            if definition is None:
                continue
            definition.triggers.setdefault(trigger.event_type, []).append(
                (trigger.position, with_params(trigger.event_type, trigger.params, trigger.filter),
                 trigger.listening_since))
            if definition.listening:
                self.triggers_by_type.setdefault(trigger.event_type, []).append(trigger.automation_id)
                self._thresholds.row(trigger.event_type, trigger.params, trigger.filter)
        for exit_condition in exits:
            definition = self.automations.get(exit_condition.automation_id)
            if definition is not None:
                definition.exits.append((exit_condition.position, exit_condition.event_type,
                                         with_params(exit_condition.event_type, exit_condition.params,
                                                     exit_condition.filter), exit_condition.outcome))
                self.exits_by_type.setdefault(exit_condition.event_type, set()).add(exit_condition.automation_id)
                if definition.automation.status != Automation.STATUS.draft:
                    self._thresholds.row(exit_condition.event_type, exit_condition.params, exit_condition.filter)
        for definition in self.automations.values():
            for positions in definition.triggers.values():
                positions.sort(key=lambda item: item[0])
            definition.exits.sort(key=lambda item: item[0])
        for ids in self.triggers_by_type.values():
            ids.sort()
        self._index_steps(steps)

    def _index_steps(self, steps):
        from ..catalogue import get_waits  # pylint: disable=import-outside-toplevel

        waits = get_waits()
        children = {}
        by_pk = {}
        for step in sorted(steps, key=lambda s: (s.position, s.pk)):
            children.setdefault((step.automation_id, step.parent_id, step.side), []).append(step)
            by_pk[step.pk] = step
        for (automation_id, _parent_id, _side), siblings in children.items():
            definition = self.automations.get(automation_id)
            if definition is None:
                continue
            for step in siblings:
                definition.steps[step.step_id] = StepDef(
                    pk=step.pk, automation_id=automation_id, step_id=step.step_id, step_type=step.step_type,
                    kind=step.kind, params=step.params or {}, condition=step.condition)
                if definition.automation.status != Automation.STATUS.draft:
                    self._thresholds.tree(step.condition)
                if step.step_type == Step.TYPE.wait:
                    awaited = getattr(waits.get(step.kind), "awaited_event", None)
                    try:
                        event_type = awaited(step.params or {}) if awaited else None
                    except Exception:  # pylint: disable=broad-except
                        event_type = None  # a draft's incomplete wait: nothing to listen for
                    if isinstance(event_type, str):
                        self.awaited_types.add(event_type)
                        if definition.automation.status != Automation.STATUS.draft:
                            self._thresholds.row(event_type, {}, (step.params or {}).get("filter"))
        for (automation_id, parent_id, side), siblings in children.items():
            definition = self.automations.get(automation_id)
            if definition is None:
                continue
            if parent_id is None and side == "":
                definition.first_step_id = siblings[0].step_id
            for index, step in enumerate(siblings):
                step_def = definition.steps[step.step_id]
                step_def.next_id = self._after(definition, children, by_pk, step, siblings, index)
                step_def.yes_first = self._first(children, automation_id, step.pk, "yes")
                step_def.no_first = self._first(children, automation_id, step.pk, "no")

    @staticmethod
    def _first(children, automation_id, parent_pk, side):
        siblings = children.get((automation_id, parent_pk, side))
        return siblings[0].step_id if siblings else None

    @staticmethod
    def _after(definition, children, by_pk, step, siblings, index):
        """The next sibling, else the step after the enclosing branch (None at the end of the flow)."""
        while True:
            if index + 1 < len(siblings):
                return siblings[index + 1].step_id
            if step.parent_id is None:
                return None
            parent = by_pk[step.parent_id]
            siblings = children[(parent.automation_id, parent.parent_id, parent.side)]
            index = siblings.index(parent)
            step = parent

    def automation(self, automation_id):
        definition = self.automations.get(automation_id)
        return definition.automation if definition else None

    def step(self, automation_id, step_id):
        definition = self.automations.get(automation_id)
        return definition.steps.get(step_id) if definition and step_id else None

    def thresholds(self, event_type):
        """The thresholds of ``event_type`` automations ask for (without the operator's defaults)."""
        return self._thresholds.asked.get(event_type, frozenset())

    def listens(self, event_type):
        """Whether a trigger, exit condition, event wait or the learner-state tracking needs this type."""
        return (event_type in self.triggers_by_type or event_type in self.exits_by_type
                or event_type in self.awaited_types or event_type in TRACKED_EVENT_TYPES)


class ThresholdsAsked:
    """Collects, while the snapshot is built, the thresholds its rows name (``catalogue.thresholds``)."""

    def __init__(self):
        self.types = thresholds.threshold_types()
        self.asked = {}

    def row(self, event_type, params, tree):
        if event_type in self.types:
            self.asked.setdefault(event_type, set()).update(
                thresholds.named_by_row(self.types[event_type], params, tree))
        self.tree(tree)

    def tree(self, tree):
        for key, event_type in self.types.items():
            named = thresholds.named_by_occurred(event_type, tree)
            if named:
                self.asked.setdefault(key, set()).update(named)


def with_params(event_type, params, tree):
    """A trigger's (or exit condition's) filter with its params in front, as the conditions they stand
    for: ``{"days": 10}`` is ``event.field days eq 10`` (and the run's explanation shows it so)."""
    from ..catalogue import get_event_types  # pylint: disable=import-outside-toplevel

    entry = get_event_types().get(event_type)
    conditions = entry.param_conditions(params) if entry is not None and params else []
    if not conditions:
        return tree
    return {"all": [*conditions, tree]} if tree else (conditions[0] if len(conditions) == 1 else {"all": conditions})


def _version(max_age=None):
    if max_age is not None:
        now = time.monotonic()
        if _host_version["at"] is not None and now - _host_version["at"] < max_age:
            return _host_version["version"]
        version = _version()
        _host_version.update(at=now, version=version)
        return version
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(_VERSION_KEY)
    return version


def _fresh_version():
    """A version no process can have built a snapshot at: the key is kept without expiry, but a
    cache can still lose it (eviction, a restart), and restarting at 1 would let a process that
    built its snapshot at an earlier 1 serve it as current."""
    return time.time_ns()


def invalidate(**kwargs):
    """Bump the definitions version (every process rebuilds its snapshot on its next read)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # no version yet, or lost
        cache.set(_VERSION_KEY, _fresh_version(), timeout=None)
    _local.clear()
    _host_version["at"] = None


def _invalidate_now_and_on_commit(**kwargs):
    invalidate()
    transaction.on_commit(invalidate)


def definitions(automation_ids=(), *, max_age=None):
    """The snapshot at the current version (one cache read; rows read only after an edit).

    ``automation_ids`` the caller is about to use: one the snapshot does not know means this
    process missed an invalidation (no shared cache), and the snapshot is rebuilt."""
    version = _version(max_age)
    snapshot = _local.get(version)
    if snapshot is not None and any(pk not in snapshot.automations for pk in automation_ids):
        snapshot = None
    if snapshot is None:
        snapshot = Definitions(
            list(Automation.objects.all()), list(Trigger.objects.all()), list(ExitCondition.objects.all()),
            list(Step.objects.all()))
        _local.clear()
        _local[version] = snapshot
    return snapshot


def listens(event_type):
    """For the host's side: the version is read at most once per ``HOST_VERSION_SECONDS``."""
    return definitions(max_age=HOST_VERSION_SECONDS).listens(event_type)


def triggers_for(event_type):
    """``{automation_id: [(position, filter, listening since), ...]}`` of automations listening to it."""
    snapshot = definitions()
    return {automation_id: snapshot.automations[automation_id].triggers[event_type]
            for automation_id in snapshot.triggers_by_type.get(event_type, ())}


def has_sync_listener(event_type):
    """Whether an automation with ``sync`` execution starts on this event type."""
    snapshot = definitions()
    return any(snapshot.automations[automation_id].automation.execution == Automation.EXECUTION.sync
               for automation_id in snapshot.triggers_by_type.get(event_type, ()))


def exits_for(event_type):
    """Ids of automations (any status with runs) that exit on ``event_type``."""
    return set(definitions().exits_by_type.get(event_type, ()))


for _model in (Automation, Trigger, ExitCondition, Step):
    receiver(post_save, sender=_model, dispatch_uid=f"lms_automations.index.save.{_model.__name__}")(
        _invalidate_now_and_on_commit)
    receiver(post_delete, sender=_model, dispatch_uid=f"lms_automations.index.delete.{_model.__name__}")(
        _invalidate_now_and_on_commit)
