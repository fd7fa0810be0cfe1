"""Conditions on what the learner bought, read from the commerce events the store reported.

Open edX keeps no orders or subscriptions of its own: the plugin's event history (order.* and
subscription.* events ingested from the store) is the record these conditions read. Refunded or
cancelled orders are not purchases; a subscription is active from its first report until
``subscription.ended`` (a cancelled one runs to the end of its paid period).
"""
from ..catalogue import Condition
from ..engine.ops import compare
from ..models import Event
from .params import compared_params, params

SUBSCRIPTION_EVENTS = ("subscription.renewed", "subscription.cancelled", "subscription.ended")
SKU = {"type": "string", "minLength": 1, "maxLength": 255, "description": "only this product (SKU)"}


def _learner_events(context, event_types):
    events = Event.objects.filter(user_id=context.user_id, event_type__in=event_types, occurred_at__lte=context.now)
    if getattr(context, "event_id", None) is not None:
        # In a trigger filter or exit condition, the event in hand is not yet part of the past...
        events = events.exclude(pk=context.event_id)
    return events.exclude(dispatch_status=Event.DISPATCH.ignored).order_by("occurred_at", "id")


def _in_hand(context, event_types):
    """...but what it says counts: a subscription.ended being handled means the subscription ended."""
    if getattr(context, "event_id", None) is not None and context.event_type in event_types:
        return [(context.event_type, context.event)]
    return []


class SubscriptionActive(Condition):
    key = "commerce.subscription_active"
    label = "Has an active subscription"
    category = "Commerce"
    description = ("Whether the store has reported a subscription of the learner (optionally of one product) "
                   "that has not ended: renewed or cancelled subscriptions are active until subscription.ended.")
    params_schema = params((), sku=SKU)

    def evaluate(self, params, context):
        states = {}
        history = list(_learner_events(context, SUBSCRIPTION_EVENTS).values_list("event_type", "payload"))
        for event_type, payload in history + _in_hand(context, SUBSCRIPTION_EVENTS):
            payload = payload if isinstance(payload, dict) else {}
            if params.get("sku") and payload.get("sku") != params["sku"]:
                continue
            subscription = str(payload.get("subscription_id") or payload.get("sku") or "")
            states[subscription] = event_type != "subscription.ended"
        active = sorted(name for name, is_active in states.items() if is_active)
        return bool(active), active


class LastPurchase(Condition):
    key = "commerce.last_purchase"
    label = "Last purchase"
    category = "Commerce"
    description = ("Compares when the learner last paid an order (optionally of one product) that was not "
                   "refunded or cancelled afterwards: before / after a date, within_last a period (P30D), or "
                   "is_set / is_not_set (ever bought).")
    params_schema = compared_params((), sku=SKU)

    def evaluate(self, params, context):
        kinds = ("order.paid", "order.refunded", "order.cancelled")
        paid = {}
        history = list(_learner_events(context, kinds).values_list("event_type", "payload", "occurred_at"))
        in_hand = [(event_type, payload, context.now) for event_type, payload in _in_hand(context, kinds)]
        for event_type, payload, occurred_at in history + in_hand:
            payload = payload if isinstance(payload, dict) else {}
            if params.get("sku") and payload.get("sku") != params["sku"]:
                continue
            order = str(payload.get("order_id") or "")
            if event_type == "order.paid":
                paid[order] = occurred_at
            else:
                paid.pop(order, None)
        last = max(paid.values(), default=None)
        return compare(last, params["op"], params.get("value"), now=context.now), last.isoformat() if last else None
