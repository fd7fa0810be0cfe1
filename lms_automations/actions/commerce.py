"""Asking an external store to act: refund an order, cancel a subscription.

Open edX sells through a store it does not own, so the plugin sends the store a signed request and
the store does the work. The request is signed like the store's own reports to the plugin (the same
headers and shared secret, see ``rest/hmac_auth``), carries the step's idempotency key (a retried
step asks once, as far as the store is concerned), goes only to a public address unless the operator
allows more (the webhook rules), and is retried on 5xx, 429 and timeouts like a webhook::

    POST <store url>
    X-Automations-Source: lms-automations
    X-Automations-Timestamp: 1767225600
    X-Automations-Signature: sha256=<hex HMAC-SHA256 of b"<timestamp>." + body>
    Idempotency-Key: <run>:<step>:<visit>

    {"request": "order.refund", "order_id": "A-1001", "amount": "49.00", "reason": "…",
     "learner": {"id": 7, "username": "ada", "email": "ada@example.com"}, "idempotency_key": "…"}
"""
import json
import time

from django.utils.translation import gettext as _

from .. import __version__
from ..catalogue import Action
from ..conf import get_setting
from ..engine.errors import PermanentError
from ..rest.hmac_auth import SIGNATURE_HEADER, SIGNATURE_PREFIX, SOURCE_HEADER, TIMESTAMP_HEADER, sign
from .params import params
from .webhook import WebhookSend
from .webhook_safety import check_url

#: Who the plugin says it is in ``X-Automations-Source`` when it calls a store.
SOURCE_NAME = "lms-automations"
TIMEOUT_SECONDS = 10
STORE = {"type": "string", "minLength": 1, "maxLength": 100,
         "description": "the store's name in the operator's COMMERCE_STORES (may be left out when there is one)"}
ID = {"type": "string", "minLength": 1, "maxLength": 255}
REASON = {"type": "string", "maxLength": 500, "description": "why, for the store's records"}


def configured_stores():
    return get_setting("COMMERCE_STORES") or {}


def store_refusal(name):
    """Why the store ``name`` (None: the only one) cannot be asked, or None."""
    stores = configured_stores()
    if not stores:
        return _("no store is configured: the operator lists stores in LMS_AUTOMATIONS['COMMERCE_STORES']")
    if name is None and len(stores) > 1:
        return _("several stores are configured ({names}): name one in store").format(names=", ".join(sorted(stores)))
    if name is not None and name not in stores:
        return _("no store named {name!r} is configured; configured: {names}").format(
            name=name, names=", ".join(sorted(stores)))
    return None


def _store(name):
    refusal = store_refusal(name)
    if refusal:
        raise PermanentError(refusal)
    name = name or next(iter(configured_stores()))
    config = configured_stores()[name] or {}
    secret = config.get("secret") or (get_setting("INGEST_HMAC_SECRETS") or {}).get(name)
    if not config.get("url") or not secret:
        raise PermanentError(_("the store {name!r} needs a url and a secret in COMMERCE_STORES").format(name=name))
    return config["url"], secret


class StoreRequest(Action):
    """Shared by the store actions: ``request`` names what is asked, ``fields`` the params sent."""

    category = "Commerce"
    external = True
    request = ""
    fields = ()

    @classmethod
    def check_params(cls, params):
        errors = super().check_params(params)
        if not errors and isinstance(params, dict):
            refusal = store_refusal(params.get("store"))
            if refusal:
                errors.append({"path": "params.store", "message": refusal})
        return errors

    def execute(self, params, context):
        url, secret = _store(params.get("store"))
        target = check_url(url)
        learner = context.learner if isinstance(context.learner, dict) else {}
        document = {"request": self.request, **{name: params[name] for name in self.fields if name in params},
                    "learner": {key: learner.get(key) for key in ("id", "username", "email")},
                    "idempotency_key": context.idempotency_key}
        body = json.dumps(document, ensure_ascii=False, default=str).encode()
        timestamp = int(time.time())
        headers = {
            "User-Agent": f"lms-automations/{__version__}", "Content-Type": "application/json",
            SOURCE_HEADER: SOURCE_NAME, TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: SIGNATURE_PREFIX + sign(secret, timestamp, body),
        }
        if context.idempotency_key:
            headers["Idempotency-Key"] = context.idempotency_key
        status, response_headers, first_bytes = WebhookSend._send(target, "POST", headers, body, TIMEOUT_SECONDS)
        result = WebhookSend._classify(target, status, response_headers, first_bytes, context)
        return {**result, "request": self.request}


class OrderRefund(StoreRequest):
    key = "order.refund"
    label = "Ask the store to refund an order"
    description = ("Sends the store a signed request to refund the learner's order (all of it, or the amount "
                   "given). The store does the refund and reports it back as order.refunded. Retried on 5xx, "
                   "429 and timeouts with the same Idempotency-Key; other answers fail the run with the store's "
                   "reason.")
    request = "order.refund"
    fields = ("order_id", "amount", "reason")
    params_schema = params(("order_id",), store=STORE,
                           order_id={**ID, "description": "the store's order id, e.g. {{ event.order_id }}"},
                           amount={"type": "string", "maxLength": 50,
                                   "description": "the amount to refund (default: the whole order)"},
                           reason=REASON)


class SubscriptionCancel(StoreRequest):
    key = "subscription.cancel"
    label = "Ask the store to cancel a subscription"
    description = ("Sends the store a signed request to cancel the learner's subscription, at the end of the "
                   "paid period (default) or at once. The store reports it back as subscription.cancelled and "
                   "later subscription.ended. Retried like order.refund.")
    request = "subscription.cancel"
    fields = ("subscription_id", "at_period_end", "reason")
    params_schema = params(("subscription_id",), store=STORE,
                           subscription_id={**ID, "description": "the store's subscription id, e.g. "
                                                                 "{{ event.subscription_id }}"},
                           at_period_end={"type": "boolean",
                                          "description": "cancel when the paid period ends (default true)"},
                           reason=REASON)

    def execute(self, params, context):
        return super().execute({"at_period_end": True, **params}, context)
