"""Custom event types as an event API has them (Reteno): registered by their first event, and who listens.

With ``LMS_AUTOMATIONS["REGISTER_CUSTOM_EVENT_TYPES"]`` on (off by default), an ingested
``custom.<slug>`` nobody declared is registered instead of refused: its label is made from the
slug, its declared fields are the payload's (with the JSON type of each value), and it keeps
learning — a field a later payload carries is added — until staff untick ``learns_fields`` in
admin. So the builder's pickers and the catalogue know a new type's fields from its first event.

``listeners`` answers, per event type, which automations it starts (triggers) and stops (exit
conditions), for the catalogue page, the custom event type page and ``GET v1/event-types/``.
"""
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .catalogue.events import CUSTOM_PREFIX
from .conf import get_setting
from .models import Automation, CustomEventType, ExitCondition, Trigger

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
#: A registered type learns at most this many fields: a payload of generated keys must not grow
#: the declaration for ever.
MAX_FIELDS = 50
RESERVED = {"user_id"}


class Refused(ValueError):
    """A payload a learning type cannot take: ``errors`` is ``{field: [message]}``."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def registration_enabled():
    return bool(get_setting("REGISTER_CUSTOM_EVENT_TYPES"))


def slug_error(slug):
    """Why ``slug`` cannot name a custom type (None when it can)."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        return _("a slug is 1–80 lower-case letters, digits, - and _, starting with a letter or digit "
                 "(got %(slug)r)") % {"slug": slug}
    return None


def json_type(value):
    """The declared ``type`` a payload value suggests (the names ``rest.payloads`` checks)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def learned_fields(fields, payload):
    """``fields`` plus one declaration per payload field not yet declared; ``Refused`` for a name
    that cannot be a field or a payload that would pass ``MAX_FIELDS``."""
    known = {field.get("name") for field in fields if isinstance(field, dict)}
    errors, added = {}, []
    for name in sorted(set(payload) - known - RESERVED):
        if not FIELD_NAME.match(name):
            errors[name] = [_("a field name is letters, digits and _ (at most 100), not starting with a digit")]
        else:  # a null says nothing of the type: declared, unchecked
            added.append({"name": name, "type": json_type(payload[name]) if payload[name] is not None else "",
                          "description": ""})
    if len(known) + len(added) > MAX_FIELDS:
        errors["payload"] = [_("a custom event type has at most %(max)d fields; this payload would give it "
                               "%(count)d") % {"max": MAX_FIELDS, "count": len(known) + len(added)}]
    if errors:
        raise Refused(errors)
    return list(fields) + added


def register_or_learn(event_type, payload):
    """For ingestion: the declaration of ``event_type`` after registering it (first event, setting on)
    or learning the payload's new fields; None when it is not declared and may not be registered."""
    slug = event_type.removeprefix(CUSTOM_PREFIX)
    declared = CustomEventType.objects.filter(slug=slug).first()
    if declared is None:
        if not registration_enabled():
            return None
        error = slug_error(slug)
        if error:
            raise Refused({"event": [error]})
        fields = learned_fields([], payload)
        try:
            with transaction.atomic():
                return CustomEventType.objects.create(
                    slug=slug, label=slug.replace("_", " ").replace("-", " ").capitalize(), fields=fields,
                    description=_("Registered by its first event through the REST API."), learns_fields=True)
        except IntegrityError:  # another request registered it first: learn from this one too
            declared = CustomEventType.objects.get(slug=slug)
    if declared.learns_fields and set(payload) - RESERVED - {f.get("name") for f in declared.fields or []
                                                              if isinstance(f, dict)}:
        with transaction.atomic():
            declared = CustomEventType.objects.select_for_update().get(pk=declared.pk)
            fields = learned_fields(declared.fields or [], payload)
            if fields != declared.fields:
                declared.fields = fields
                declared.save(update_fields=["fields", "modified"])
    return declared


def listeners(event_types=None, visible_ids=None):
    """``{event_type: {"starts": [automation], "stops": [automation]}}`` from every trigger and exit
    condition (two reads); ``visible_ids`` (None: all) limits the automations to those a viewer may see."""
    found = {}
    automations = Automation.objects.exclude(status=Automation.STATUS.finishing).only("id", "name", "status")
    if visible_ids is not None:
        automations = automations.filter(pk__in=visible_ids)
    by_id = {automation.pk: automation for automation in automations}
    for model, side in ((Trigger, "starts"), (ExitCondition, "stops")):
        rows = model.objects.filter(automation_id__in=list(by_id)).values_list("event_type", "automation_id")
        if event_types is not None:
            rows = rows.filter(event_type__in=list(event_types))
        for event_type, automation_id in rows.distinct().order_by("event_type", "automation_id"):
            entry = found.setdefault(event_type, {"starts": [], "stops": []})
            entry[side].append(by_id[automation_id])
    return found
