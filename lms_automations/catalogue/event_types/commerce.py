"""Commerce event types, ingested from external stores (Open edX has no order events)."""
from ..events import EventType


class OrderPaid(EventType):
    key = "order.paid"
    label = "Order paid"
    category = "Commerce"
    description = "An external store reported a paid order (commerce ingestion endpoint)."
    payload_fields = {
        "order_id": "the store's order id",
        "sku": "the product",
        "course_key": "the course bought, if any",
        "amount": "the amount paid",
        "currency": "e.g. EUR",
    }


class OrderPaymentFailed(EventType):
    key = "order.payment_failed"
    label = "Payment failed"
    category = "Commerce"
    description = "An external store reported a failed payment."
    payload_fields = {
        "order_id": "the store's order id",
        "sku": "the product",
        "course_key": "the course, if any",
        "amount": "the amount",
        "currency": "e.g. EUR",
    }


class OrderRefunded(EventType):
    key = "order.refunded"
    label = "Order refunded"
    category = "Commerce"
    description = "An external store reported a refund."
    payload_fields = {
        "order_id": "the store's order id",
        "sku": "the product",
        "course_key": "the course, if any",
        "amount": "the amount refunded",
        "currency": "e.g. EUR",
    }


class SubscriptionRenewed(EventType):
    key = "subscription.renewed"
    label = "Subscription renewed"
    category = "Commerce"
    description = "An external store reported a renewed subscription."
    payload_fields = {
        "subscription_id": "the subscription",
        "sku": "the product",
    }


class SubscriptionCancelled(EventType):
    key = "subscription.cancelled"
    label = "Subscription cancelled"
    category = "Commerce"
    description = "An external store reported a cancelled subscription."
    payload_fields = {
        "subscription_id": "the subscription",
        "sku": "the product",
    }
