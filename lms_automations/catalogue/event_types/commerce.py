"""Commerce event types. Open edX has no order events of its own, so an external store reports them
to the plugin's HMAC-signed ingestion endpoint (SPEC §7.3); the store's idempotency key makes a
re-sent report one event."""
from ..events import EventType

ORDER_FIELDS = {
    "order_id": "the store's order id",
    "sku": "the product's SKU",
    "course_key": "the course the product gives access to, if any",
    "amount": "the amount of the order (or of the refund)",
    "currency": "ISO 4217 code, e.g. EUR",
}
SUBSCRIPTION_FIELDS = {
    "subscription_id": "the store's subscription id",
    "sku": "the product's SKU",
}


class OrderCreated(EventType):
    key = "order.created"
    label = "Placed an order"
    category = "Commerce"
    description = "Fires when an external store reports that the learner placed an order (not yet paid): wait a little, then check for order.paid to chase unpaid orders."
    payload_fields = ORDER_FIELDS


class OrderPaid(EventType):
    key = "order.paid"
    label = "Paid an order"
    category = "Commerce"
    description = "Fires when an external store reports that the learner's order was paid."
    payload_fields = ORDER_FIELDS


class OrderPaymentFailed(EventType):
    key = "order.payment_failed"
    label = "Payment failed"
    category = "Commerce"
    description = "Fires when an external store reports that a payment for the learner's order failed."
    payload_fields = ORDER_FIELDS


class OrderRefunded(EventType):
    key = "order.refunded"
    label = "Order refunded"
    category = "Commerce"
    description = "Fires when an external store reports that the learner's order was refunded (amount: what was refunded)."
    payload_fields = ORDER_FIELDS


class OrderCancelled(EventType):
    key = "order.cancelled"
    label = "Order cancelled"
    category = "Commerce"
    description = "Fires when an external store reports that the learner's order was cancelled before it was paid or delivered."
    payload_fields = ORDER_FIELDS


class SubscriptionRenewed(EventType):
    key = "subscription.renewed"
    label = "Subscription renewed"
    category = "Commerce"
    description = "Fires when an external store reports that the learner's subscription renewed."
    payload_fields = SUBSCRIPTION_FIELDS


class SubscriptionCancelled(EventType):
    key = "subscription.cancelled"
    label = "Subscription cancelled"
    category = "Commerce"
    description = "Fires when an external store reports that the learner's subscription was cancelled."
    payload_fields = SUBSCRIPTION_FIELDS


class SubscriptionEnded(EventType):
    key = "subscription.ended"
    label = "Subscription ended"
    category = "Commerce"
    description = "Fires when an external store reports that the learner's subscription ended (its paid period is over, after a cancellation or a failed renewal)."
    payload_fields = SUBSCRIPTION_FIELDS
