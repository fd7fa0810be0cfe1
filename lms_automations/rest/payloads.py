"""Which event types may be ingested, and checking a payload against what its type declares.

Only two families come in over REST: ``custom.<slug>`` types declared in admin (``CustomEventType``)
and the commerce types an external store reports. Everything else in the catalogue is recorded by the
LMS itself, and a forged ``enrollment.created`` would start the wrong automations.

A payload may carry only the fields its type declares (a typo would otherwise never match a
trigger's filter, silently); a custom type that declares no fields takes any object.
"""
import datetime
import decimal
import re

from django.utils.dateparse import parse_date, parse_datetime
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..catalogue import get_event_type
from ..catalogue.events import CUSTOM_PREFIX

COMMERCE_EVENT_TYPES = frozenset({
    "order.created", "order.paid", "order.payment_failed", "order.refunded", "order.cancelled",
    "subscription.renewed", "subscription.cancelled", "subscription.ended",
})
#: Set by the plugin from the request's ``user``; a payload may not carry it.
RESERVED_FIELDS = frozenset({"user_id"})
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class UnknownEventType(Exception):
    """Nothing declares this event type (a ``custom.*`` type must be declared in admin first)."""


class NotIngestible(Exception):
    """The event type exists but is recorded by the LMS, not ingested."""


def payload_rules(event_type):
    """``{field: (check or None, required)}`` for an ingestible type, or None when it takes any fields.

    Raises ``UnknownEventType`` or ``NotIngestible``. Admin declarations are read now (they change at
    run time).
    """
    if event_type in COMMERCE_EVENT_TYPES:
        return _commerce_specs(event_type)
    if event_type.startswith(CUSTOM_PREFIX):
        from ..models import CustomEventType  # pylint: disable=import-outside-toplevel

        declared = CustomEventType.objects.filter(slug=event_type.removeprefix(CUSTOM_PREFIX)).first()
        if declared is None:
            raise UnknownEventType(event_type)
        return _custom_specs(declared.fields or [])
    if get_event_type(event_type) is not None:
        raise NotIngestible(event_type)
    raise UnknownEventType(event_type)


def check_payload(event_type, payload, rules):
    """``{field: [message]}`` for every problem of ``payload`` under ``rules``; empty when it is fine."""
    errors = {}
    for name in sorted(RESERVED_FIELDS & set(payload)):
        errors[name] = ["set by the plugin from \"user\"; leave it out of the payload"]
    if rules is None:  # a custom type that declares nothing: any fields
        return errors
    allowed = ", ".join(sorted(rules)) or "none"
    for name in sorted(set(payload) - set(rules) - RESERVED_FIELDS):
        errors[name] = [f"{event_type} declares no field {name!r}; declared: {allowed}"]
    for name, (check, required) in sorted(rules.items()):
        if name not in payload or payload[name] is None:
            if required:
                errors[name] = ["required — add a value"]
            continue
        message = check(payload[name]) if check else None
        if message:
            errors[name] = [message]
    return errors


# --- commerce ---------------------------------------------------------------------------------------

def _identifier(value):
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return f"must be the store's id, as text or a whole number (got {value!r})"
    if isinstance(value, str) and len(value) > 255:
        return "must be at most 255 characters"
    return None


def _text(value):
    if not isinstance(value, str):
        return f"must be text (got {value!r})"
    return "must be at most 255 characters" if len(value) > 255 else None


def _course_key(value):
    if not isinstance(value, str):
        return f"must be a course key as text, e.g. course-v1:Org+Course+Run (got {value!r})"
    try:
        CourseKey.from_string(value)
    except InvalidKeyError:
        return f"{value!r} is not a course key, e.g. course-v1:Org+Course+Run"
    return None


def _amount(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, e.g. 49.9 (got {value!r})"
    return "must not be negative (a refund's amount is what was refunded)" if value < 0 else None


def _currency(value):
    if not isinstance(value, str) or not _CURRENCY.match(value):
        return f"must be an ISO 4217 code in capitals, e.g. EUR (got {value!r})"
    return None


_COMMERCE_CHECKS = {
    "order_id": (_identifier, True),
    "subscription_id": (_identifier, True),
    "sku": (_text, False),
    "course_key": (_course_key, False),
    "amount": (_amount, False),
    "currency": (_currency, False),
}


def _commerce_specs(event_type):
    """The catalogue's declared fields of a commerce type, with the checks above (unknown ones: any value)."""
    event_class = get_event_type(event_type)
    declared = event_class.payload_fields if event_class else {}
    return {name: _COMMERCE_CHECKS.get(name, (None, False)) for name in declared}


# --- custom -----------------------------------------------------------------------------------------

def _of_type(python_types, wanted):
    def check(value):
        if isinstance(value, bool) and bool not in python_types:
            return f"must be {wanted} (got {value!r})"
        return None if isinstance(value, python_types) else f"must be {wanted} (got {value!r})"
    return check


def _number_like(value):
    if isinstance(value, bool):
        return f"must be a number (got {value!r})"
    if isinstance(value, (int, float, decimal.Decimal)):
        return None
    return f"must be a number (got {value!r})"


def _iso_date(value):
    if isinstance(value, str):
        try:
            if parse_datetime(value) or parse_date(value):
                return None
        except ValueError:
            pass
    return f"must be an ISO-8601 date or date-time, e.g. {datetime.date(2026, 7, 1).isoformat()} (got {value!r})"


_CUSTOM_TYPE_CHECKS = {
    **dict.fromkeys(("string", "str", "text"), _of_type((str,), "text")),
    **dict.fromkeys(("integer", "int"), _of_type((int,), "a whole number")),
    **dict.fromkeys(("number", "float", "decimal"), _number_like),
    **dict.fromkeys(("boolean", "bool"), _of_type((bool,), "true or false")),
    **dict.fromkeys(("array", "list"), _of_type((list,), "a list")),
    **dict.fromkeys(("object", "dict"), _of_type((dict,), "an object")),
    **dict.fromkeys(("date", "datetime", "date-time"), _iso_date),
    **dict.fromkeys(("course_key", "course"), _course_key),
}


def _custom_specs(fields):
    """None when nothing is declared; else ``{name: (check or None, required)}``.

    A declared ``type`` the plugin does not know is not checked; ``"required": true`` makes a field
    mandatory.
    """
    specs = {}
    for field in fields:
        if not isinstance(field, dict) or not field.get("name"):
            continue
        type_name = str(field.get("type") or "").strip().lower()
        specs[str(field["name"])] = (_CUSTOM_TYPE_CHECKS.get(type_name), bool(field.get("required")))
    return specs or None
