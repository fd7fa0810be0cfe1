"""Actions on the learner data the plugin owns: tags, fields, lists and points.

All are database-local (``external = False``): the engine runs them inside the transaction that
completes the step, so each happens exactly once (SPEC §5.14). Events fire on real changes only —
adding a tag the learner has fires nothing — as the event catalogue promises.
"""
from django.contrib.auth import get_user_model

from ..catalogue import Action
from ..conditions.learner import PROFILE_FIELDS
from ..engine.bulk import insert_unless_present
from ..engine.errors import PermanentError
from ..happened.thresholds import thresholds_for
from ..models import LearnerField, LearnerList, LearnerTag, ListMembership, PointsEntry
from .emitting import emit_plugin_event, emit_plugin_events, plugin_event
from .params import COURSE_KEY, params, rendered_text, with_extra_errors

TAG_LENGTH = 100
TAGS = {"type": "array", "minItems": 1, "maxItems": 50,
        "items": {"type": "string", "minLength": 1, "maxLength": TAG_LENGTH, "pattern": r"\S"},
        "description": "one or more tags, e.g. [\"active\", \"vip\"]"}
FIELD = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[A-Za-z_][A-Za-z0-9_.-]*$",
         "description": "a field name: a letter or _, then letters, digits, _, . or -"}
FIELD_VALUE = {"type": ["string", "number", "boolean"], "maxLength": 1000,
               "description": "text, a number or true/false (a template renders to text)"}
LIST = {"type": "string", "minLength": 1, "maxLength": 80, "pattern": r"^[-a-zA-Z0-9_]+$",
        "description": "a list slug: letters, digits, - and _"}
POINTS_PARAMS = params(
    ("amount",),
    amount={"type": "integer", "minimum": 1, "maximum": 1_000_000, "description": "how many points (1–1,000,000)"},
    course_key=COURSE_KEY,
    reason={"type": "string", "maxLength": 255, "description": "shown in the learner's ledger"},
)


class LocalAction(Action):
    """A database-local action: exactly once, inside the step's transaction."""

    external = False


def _field_name_errors(params):
    """Profile fields (email, name…) are read from the LMS by ``learner.field``; a plugin field of the
    same name would be written and never read, so refuse it where staff type it."""
    name = params.get("field") if isinstance(params, dict) else None
    if name in PROFILE_FIELDS:
        return [{"path": "params.field", "message": f"{name!r} is a profile field of the LMS, which automations "
                                                    "cannot change; choose another name"}]
    return []


def _rendered_tags(params):
    """The tags after rendering, stripped and without repeats; an empty one is an error."""
    tags = [rendered_text({f"tags[{index}]": tag}, f"tags[{index}]", max_length=TAG_LENGTH)
            for index, tag in enumerate(params["tags"])]
    return list(dict.fromkeys(tags))


class TagAdd(LocalAction):
    key = "tag.add"
    label = "Add tags"
    category = "Learner data"
    description = "Adds tags to the learner; tags they already have are left as they are. Fires tag.added per new tag."
    params_schema = params(("tags",), tags=TAGS)

    def execute(self, params, context):
        added = []
        for tag in _rendered_tags(params):
            if insert_unless_present(LearnerTag(user_id=context.user_id, tag=tag)):
                added.append(tag)
                emit_plugin_event(context, "tag.added", {"tag": tag}, tag)
        return {"added": added}

    def execute_many(self, calls):
        """Many learners' tags in one read and one insert. A tag another transaction adds meanwhile
        makes the insert fail (unique constraint): the engine then does the round again one by one."""
        wanted = [(context.user_id, _rendered_tags(params)) for params, context in calls]
        have = _stored_tags(wanted)
        rows, events, results = [], [], []
        for (_params, context), (user_id, tags) in zip(calls, wanted, strict=True):
            added = [tag for tag in tags if (user_id, tag) not in have]
            have.update((user_id, tag) for tag in added)  # two runs of one learner: the first adds it
            rows.extend(LearnerTag(user_id=user_id, tag=tag) for tag in added)
            events.extend(plugin_event(context, "tag.added", {"tag": tag}, tag) for tag in added)
            results.append({"added": added})
        LearnerTag.objects.bulk_create(rows)
        emit_plugin_events(events)
        return results


class TagRemove(LocalAction):
    key = "tag.remove"
    label = "Remove tags"
    category = "Learner data"
    description = "Removes tags from the learner (tags they do not have are ignored). Fires tag.removed per tag."
    params_schema = params(("tags",), tags=TAGS)

    def execute(self, params, context):
        removed = []
        for tag in _rendered_tags(params):
            if LearnerTag.objects.filter(user_id=context.user_id, tag=tag).delete()[0]:
                removed.append(tag)
                emit_plugin_event(context, "tag.removed", {"tag": tag}, tag)
        return {"removed": removed}

    def execute_many(self, calls):
        """Many learners' tags in one read and one delete."""
        wanted = [(context.user_id, _rendered_tags(params)) for params, context in calls]
        ids = _stored_tags(wanted, with_ids=True)
        doomed, events, results = [], [], []
        for (_params, context), (user_id, tags) in zip(calls, wanted, strict=True):
            removed = [tag for tag in tags if (user_id, tag) in ids]
            doomed.extend(ids.pop((user_id, tag)) for tag in removed)
            events.extend(plugin_event(context, "tag.removed", {"tag": tag}, tag) for tag in removed)
            results.append({"removed": removed})
        if doomed:
            LearnerTag.objects.filter(pk__in=doomed).delete()
        emit_plugin_events(events)
        return results


def _stored_tags(wanted, with_ids=False):
    """Which of the ``(user_id, tags)`` pairs are stored: a set of ``(user_id, tag)``, or with
    ``with_ids`` a dict of them to the rows' ids (locked, as the one-by-one delete locks them)."""
    users = {user_id for user_id, _tags in wanted}
    tags = {tag for _user_id, tags in wanted for tag in tags}
    if not users or not tags:
        return {} if with_ids else set()
    rows = LearnerTag.objects.filter(user_id__in=users, tag__in=tags)
    if with_ids:
        return {(user_id, tag): pk for pk, user_id, tag in rows.select_for_update().values_list("pk", "user_id", "tag")}
    return set(rows.values_list("user_id", "tag"))


class FieldSet(LocalAction):
    key = "field.set"
    label = "Set a learner field"
    category = "Learner data"
    description = ("Sets a learner field the plugin keeps (text, a number or true/false), e.g. a renewal date a "
                   "later wait reads. Fires field.changed when the value differs.")
    params_schema = params(("field", "value"), field=FIELD, value=FIELD_VALUE)

    @classmethod
    def check_params(cls, params):
        return with_extra_errors(super().check_params(params), _field_name_errors(params))

    def execute(self, params, context):
        name, new = params["field"], params["value"]
        if name in PROFILE_FIELDS:
            raise PermanentError(_field_name_errors(params)[0]["message"])
        row = LearnerField.objects.select_for_update().filter(user_id=context.user_id, name=name).first()
        old = row.value if row else None
        if row is not None and type(old) is type(new) and old == new:  # 1 == True, but they are not the same value
            return {"changed": False}
        if row is None:
            LearnerField.objects.create(user_id=context.user_id, name=name, value=new)
        else:
            row.value = new
            row.save(update_fields=["value", "modified"])
        emit_plugin_event(context, "field.changed", {"field": name, "old": old, "new": new}, name)
        return {"changed": True, "old": old}


class FieldClear(LocalAction):
    key = "field.clear"
    label = "Clear a learner field"
    category = "Learner data"
    description = "Removes a learner field's value. Fires field.changed (new: null) when it had one."
    params_schema = params(("field",), field=FIELD)

    @classmethod
    def check_params(cls, params):
        return with_extra_errors(super().check_params(params), _field_name_errors(params))

    def execute(self, params, context):
        row = LearnerField.objects.select_for_update().filter(user_id=context.user_id, name=params["field"]).first()
        if row is None:
            return {"changed": False}
        row.delete()
        emit_plugin_event(context, "field.changed", {"field": params["field"], "old": row.value, "new": None},
                          params["field"])
        return {"changed": True, "old": row.value}


class ListAdd(LocalAction):
    """Lists are created on first use, like tags: the flow is where staff name them, and a list
    that must exist first would fail the first learner of a new automation for no one's benefit."""

    key = "list.add"
    label = "Add to a list"
    category = "Learner data"
    description = ("Adds the learner to a list (created the first time a step uses it). "
                   "Fires list.joined when they were not on it.")
    params_schema = params(("list",), list=LIST)

    def execute(self, params, context):
        slug = params["list"]
        learner_list, _ = LearnerList.objects.get_or_create(slug=slug, defaults={"name": slug})
        if not insert_unless_present(ListMembership(learner_list=learner_list, user_id=context.user_id)):
            return {"joined": False}
        emit_plugin_event(context, "list.joined", {"list": slug}, slug)
        return {"joined": True}


class ListRemove(LocalAction):
    key = "list.remove"
    label = "Remove from a list"
    category = "Learner data"
    description = "Removes the learner from a list. Fires list.left when they were on it."
    params_schema = params(("list",), list=LIST)

    def execute(self, params, context):
        deleted, _ = ListMembership.objects.filter(learner_list__slug=params["list"], user_id=context.user_id).delete()
        if deleted:
            emit_plugin_event(context, "list.left", {"list": params["list"]}, params["list"])
        return {"left": bool(deleted)}


def _ledger(user_id):
    """``(balance, peak)``: the learner's points now, and the highest balance they ever had."""
    balance = peak = 0
    for amount in PointsEntry.objects.filter(user_id=user_id).order_by("id").values_list("amount", flat=True):
        balance += amount
        peak = max(peak, balance)
    return balance, peak


class _PointsAction(LocalAction):
    """One ledger entry per step visit, keyed by the step's idempotency key.

    The learner's user row is locked first so that two runs changing the same learner's points
    serialise: each reads the balance the other left, and a threshold fires once. A threshold is
    "reached for the first time" when it lies above the highest balance the ledger ever held.
    """

    sign = 1
    params_schema = POINTS_PARAMS

    def execute(self, params, context):
        get_user_model().objects.select_for_update().filter(pk=context.user_id).first()
        key = f"points:{context.idempotency_key}"[:255] if context.idempotency_key else None
        balance, peak = _ledger(context.user_id)
        if key and PointsEntry.objects.filter(idempotency_key=key).exists():
            return {"duplicate": True, "balance": balance}
        amount = self.sign * params["amount"]
        if balance + amount < 0:
            raise PermanentError(f"the learner has {balance} points, fewer than the {params['amount']} to deduct; "
                                 "nothing was deducted")
        course_key = str(params.get("course_key") or "").strip()
        PointsEntry.objects.create(user_id=context.user_id, amount=amount, course_key=course_key,
                                   reason=str(params.get("reason", ""))[:255], idempotency_key=key)
        balance += amount
        emit_plugin_event(context, "points.awarded" if amount > 0 else "points.deducted",
                          {"amount": abs(amount), "balance": balance, "course_key": course_key or None})
        reached = [threshold for threshold in thresholds_for("points.threshold_reached") if peak < threshold <= balance]
        for threshold in reached:
            emit_plugin_event(context, "points.threshold_reached", {"balance": balance, "threshold": threshold},
                              str(threshold))
        return {"balance": balance, "thresholds_reached": reached}


class PointsAward(_PointsAction):
    key = "points.award"
    label = "Award points"
    category = "Learner data"
    description = ("Adds points to the learner's ledger, exactly once each time a learner reaches the step. Fires "
                   "points.awarded, and points.threshold_reached the first time the balance reaches a threshold "
                   "set by the operator (POINTS_THRESHOLDS).")
    sign = 1


class PointsDeduct(_PointsAction):
    key = "points.deduct"
    label = "Deduct points"
    category = "Learner data"
    description = ("Takes points from the learner's ledger, exactly once each time a learner reaches the step. "
                   "The balance never goes below zero: with too few points the step fails and nothing is deducted.")
    sign = -1
