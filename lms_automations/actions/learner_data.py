"""Actions on the learner data the plugin owns: tags, fields, lists, points (database-local)."""
from django.db import IntegrityError, transaction

from ..catalogue import Action
from ..conditions.learner import points_balance
from ..conf import get_setting
from ..engine.errors import PermanentError
from ..models import Event, LearnerField, LearnerList, LearnerTag, ListMembership, PointsEntry
from .base import COURSE_KEY, emit_plugin_event, params

TAGS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100}, "minItems": 1}
FIELD = {"type": "string", "minLength": 1, "maxLength": 100}
LIST = {"type": "string", "minLength": 1, "maxLength": 80, "pattern": r"^[-a-zA-Z0-9_]+$",
        "description": "a list slug: letters, digits, - and _"}


class LocalAction(Action):
    external = False


class TagAdd(LocalAction):
    key = "tag.add"
    label = "Add tags"
    category = "Learner data"
    description = "Adds tags to the learner (tags already there are left as they are)."
    params_schema = params(("tags",), tags=TAGS)

    def execute(self, params, context):
        added = []
        for tag in params["tags"]:
            _, created = LearnerTag.objects.get_or_create(user_id=context.user_id, tag=tag)
            if created:
                added.append(tag)
                emit_plugin_event(context, "tag.added", {"tag": tag}, tag)
        return {"added": added}


class TagRemove(LocalAction):
    key = "tag.remove"
    label = "Remove tags"
    category = "Learner data"
    description = "Removes tags from the learner."
    params_schema = params(("tags",), tags=TAGS)

    def execute(self, params, context):
        removed = []
        for tag in params["tags"]:
            if LearnerTag.objects.filter(user_id=context.user_id, tag=tag).delete()[0]:
                removed.append(tag)
                emit_plugin_event(context, "tag.removed", {"tag": tag}, tag)
        return {"removed": removed}


class FieldSet(LocalAction):
    key = "field.set"
    label = "Set a learner field"
    category = "Learner data"
    description = "Sets a learner field the plugin keeps (text, number, date…)."
    params_schema = params(("field", "value"), field=FIELD, value={})

    def execute(self, params, context):
        row = LearnerField.objects.filter(user_id=context.user_id, name=params["field"]).first()
        old = row.value if row else None
        if row is not None and old == params["value"]:
            return {"changed": False}
        LearnerField.objects.update_or_create(user_id=context.user_id, name=params["field"],
                                              defaults={"value": params["value"]})
        emit_plugin_event(context, "field.changed", {"field": params["field"], "old": old, "new": params["value"]},
                          params["field"])
        return {"changed": True, "old": old}


class FieldClear(LocalAction):
    key = "field.clear"
    label = "Clear a learner field"
    category = "Learner data"
    description = "Removes a learner field's value."
    params_schema = params(("field",), field=FIELD)

    def execute(self, params, context):
        row = LearnerField.objects.filter(user_id=context.user_id, name=params["field"]).first()
        if row is None:
            return {"changed": False}
        row.delete()
        emit_plugin_event(context, "field.changed", {"field": params["field"], "old": row.value, "new": None},
                          params["field"])
        return {"changed": True, "old": row.value}


class ListAdd(LocalAction):
    key = "list.add"
    label = "Add to a list"
    category = "Learner data"
    description = "Adds the learner to a list; the list is created the first time it is used."
    params_schema = params(("list",), list=LIST)

    def execute(self, params, context):
        learner_list, _ = LearnerList.objects.get_or_create(slug=params["list"], defaults={"name": params["list"]})
        try:
            with transaction.atomic():
                ListMembership.objects.create(learner_list=learner_list, user_id=context.user_id)
        except IntegrityError:
            return {"joined": False}
        emit_plugin_event(context, "list.joined", {"list": params["list"]}, params["list"])
        return {"joined": True}


class ListRemove(LocalAction):
    key = "list.remove"
    label = "Remove from a list"
    category = "Learner data"
    description = "Removes the learner from a list."
    params_schema = params(("list",), list=LIST)

    def execute(self, params, context):
        deleted, _ = ListMembership.objects.filter(learner_list__slug=params["list"], user_id=context.user_id).delete()
        if deleted:
            emit_plugin_event(context, "list.left", {"list": params["list"]}, params["list"])
        return {"left": bool(deleted)}


class _PointsAction(LocalAction):
    sign = 1
    params_schema = params(("amount",), amount={"type": "integer", "minimum": 1, "maximum": 1_000_000},
                           course_key=COURSE_KEY, reason={"type": "string", "maxLength": 255})

    def execute(self, params, context):
        course_key = params.get("course_key", "")
        before = points_balance(context.user_id)
        key = f"points:{context.idempotency_key}" if context.idempotency_key else None
        if key and PointsEntry.objects.filter(idempotency_key=key).exists():
            return {"duplicate": True}
        amount = self.sign * params["amount"]
        if before + amount < 0:
            raise PermanentError(f"the learner has {before} points; cannot deduct {params['amount']}")
        PointsEntry.objects.create(user_id=context.user_id, amount=amount, course_key=course_key,
                                   reason=params.get("reason", ""), idempotency_key=key)
        balance = before + amount
        emit_plugin_event(context, "points.awarded" if amount > 0 else "points.deducted",
                          {"amount": abs(amount), "balance": balance, "course_key": course_key})
        for threshold in sorted(get_setting("POINTS_THRESHOLDS")):
            if before < threshold <= balance and not _reached_before(context.user_id, threshold):
                emit_plugin_event(context, "points.threshold_reached", {"balance": balance, "threshold": threshold},
                                  str(threshold))
        return {"balance": balance}


def _reached_before(user_id, threshold):
    """A threshold fires the first time only: has the learner reached it already?"""
    return Event.objects.filter(user_id=user_id, event_type="points.threshold_reached",
                                payload__threshold=threshold).exists()


class PointsAward(_PointsAction):
    key = "points.award"
    label = "Award points"
    category = "Learner data"
    description = "Adds points to the learner's ledger, exactly once per step reached."
    sign = 1


class PointsDeduct(_PointsAction):
    key = "points.deduct"
    label = "Deduct points"
    category = "Learner data"
    description = "Takes points from the learner's ledger (never below zero), exactly once per step reached."
    sign = -1
