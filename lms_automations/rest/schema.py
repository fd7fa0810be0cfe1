"""The OpenAPI schema of the REST API (drf-spectacular), served at ``/api/automations/v1/schema/``.

Request and response bodies come from the serializers and the ``extend_schema`` annotations of the
views; the v1 automation document, which no serializer checks (``engine.validation`` does), is
declared here as JSON Schema with the same limits. The schema describes the plugin's own endpoints
only — not the host's — and is served to the same callers as the API itself.
"""
from django.urls import include, path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.views import SpectacularAPIView

from ..admin.builder_settings import MAX_LABEL_LENGTH, MAX_LABELS, MAX_TEST_LEARNERS
from ..engine import document_checks as limits
from ..engine.json_values import MAX_DEPTH
from ..models import Automation, ExitCondition
from .authentication import user_authenticators
from .hmac_auth import SIGNATURE_HEADER, SOURCE_HEADER, TIMESTAMP_HEADER
from .permissions import CanReadSchema

#: Where the host mounts the plugin's URLs (``apps.py``: ``^api/automations/``).
MOUNT = "api/automations/"


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _choices(choices, exclude=()):
    return [value for value, _label in choices if value not in exclude]


_EVENT_PARAMS = {
    "type": "object",
    "description": 'What the trigger chooses for its event type, checked against the type\'s params schema: '
                   '{"days": 10} for activity.inactive, {"percent": 60} for progress.threshold_reached, '
                   '{"threshold": 120} for points.threshold_reached; omitted when there is nothing to choose.',
}
_CONDITION = {
    "type": "object",
    "description": 'A condition tree: {"condition": key, "params": {...}}, or a group {"all": [...]}, '
                   '{"any": [...]} or {"not": {...}} (SPEC §4.2).',
    "minProperties": 1,
}
DOCUMENT_COMPONENTS = {
    "AutomationDocument": {
        "type": "object",
        "description": "An automation as the v1 document (SPEC §3): what import takes and export gives. Nested "
                       f"at most {MAX_DEPTH} levels; no text may hold NUL characters or lone surrogates.",
        "required": ["format", "name", "triggers"],
        "additionalProperties": False,
        "properties": {
            "format": {"type": "string", "enum": [limits.FORMAT]},
            "name": {"type": "string", "minLength": 1, "maxLength": limits.MAX_NAME_LENGTH},
            "description": {"type": "string", "maxLength": limits.MAX_DESCRIPTION_LENGTH},
            "scope": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "courses": {"type": "array", "items": {"type": "string", "maxLength": 255},
                                "description": "course keys (course-v1:ORG+COURSE+RUN)"},
                    "orgs": {"type": "array", "items": {"type": "string", "maxLength": 255}},
                },
            },
            "status": {"type": "string", "enum": _choices(Automation.STATUS, exclude=("finishing",))},
            "execution": {"type": "string", "enum": _choices(Automation.EXECUTION)},
            "entry": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "policy": {"type": "string", "enum": _choices(Automation.ENTRY_POLICY)},
                    "period": {"type": ["string", "null"],
                               "description": "an ISO-8601 period (P7D, P1M), for once_per"},
                },
            },
            "triggers": {"type": "array", "minItems": 1, "maxItems": limits.MAX_TRIGGERS, "items": _ref("Trigger")},
            "steps": {"type": "array", "items": _ref("Step"),
                      "description": f"at most {limits.MAX_STEPS} steps in all, branches nested at most "
                                     f"{limits.MAX_BRANCH_DEPTH} deep"},
            "exit_conditions": {"type": "array", "maxItems": limits.MAX_EXIT_CONDITIONS,
                                "items": _ref("ExitCondition")},
        },
    },
    "Trigger": {
        "type": "object", "required": ["event"], "additionalProperties": False,
        "properties": {"event": {"type": "string", "minLength": 1, "maxLength": limits.MAX_KEY_LENGTH},
                       "params": _EVENT_PARAMS,
                       "filter": {"oneOf": [_CONDITION, {"type": "null"}]}},
    },
    "ExitCondition": {
        "type": "object", "required": ["event"], "additionalProperties": False,
        "properties": {"event": {"type": "string", "minLength": 1, "maxLength": limits.MAX_KEY_LENGTH},
                       "params": _EVENT_PARAMS,
                       "filter": {"oneOf": [_CONDITION, {"type": "null"}]},
                       "outcome": {"type": "string", "enum": _choices(ExitCondition.OUTCOME)}},
    },
    "Step": {
        "description": "An action, a wait or a yes/no branch; params are checked against the catalogue entry's "
                       "params schema (GET the catalogue in admin or SPEC §4).",
        "oneOf": [
            {"type": "object", "required": ["type", "action"], "additionalProperties": False,
             "properties": {"id": _ref("StepId"), "type": {"type": "string", "enum": ["action"]},
                            "action": {"type": "string", "minLength": 1, "maxLength": limits.MAX_KEY_LENGTH},
                            "params": {"type": "object"}}},
            {"type": "object", "required": ["type", "wait"], "additionalProperties": False,
             "properties": {"id": _ref("StepId"), "type": {"type": "string", "enum": ["wait"]},
                            "wait": {"type": "string", "minLength": 1, "maxLength": limits.MAX_KEY_LENGTH},
                            "params": {"type": "object"}}},
            {"type": "object", "required": ["type", "condition"], "additionalProperties": False,
             "properties": {"id": _ref("StepId"), "type": {"type": "string", "enum": ["branch"]},
                            "condition": _CONDITION,
                            "yes": {"type": "array", "items": {"type": "object"}, "description": "steps"},
                            "no": {"type": "array", "items": {"type": "object"}, "description": "steps"}}},
        ],
    },
    "StepId": {"type": "string", "minLength": 1, "maxLength": limits.MAX_STEP_ID_LENGTH},
    "FieldErrors": {
        "type": "object",
        "description": "400 of event ingestion: for each field of the body that is wrong, what to change "
                       '(e.g. {"user": {"id": ["A valid integer is required."]}}).',
        "additionalProperties": True,
    },
}
DOCUMENT_COMPONENTS["DryRunReport"] = {
    "type": "object",
    "description": "What the automation would do with the learner now, with no side effect (engine.dry_run): "
                   "learner, automation, now, time_zone, notes, triggers (each tried with the learner's latest "
                   "event of its type, with every leaf's value), entry (would_enter, reason, message), start, "
                   "steps (the path: branch values, rendered e-mails and webhook requests with secrets masked, "
                   "wait due times in the learner's time zone), outcome, exit_conditions.",
    "required": ["learner", "automation", "now", "triggers", "entry", "steps", "outcome"],
    "additionalProperties": True,
}
DOCUMENT_COMPONENTS["AutomationWithSettings"] = {
    "type": "object",
    "description": "The v1 document with what this site keeps beside it (rest.automation_saving): labels and "
                   "test learners, checked as the builder checks them; a key left out leaves them as they are.",
    "required": ["document"],
    "additionalProperties": False,
    "properties": {
        "document": _ref("AutomationDocument"),
        "labels": {"type": "array", "maxItems": MAX_LABELS,
                   "items": {"type": "string", "maxLength": MAX_LABEL_LENGTH}},
        "test_learners": {"type": "array", "maxItems": MAX_TEST_LEARNERS,
                          "items": {"type": "integer", "minimum": 1},
                          "description": "learner ids: learners the caller may name (a course team member: "
                                         "learners of their courses of the scope)"},
    },
}
DOCUMENT = _ref("AutomationDocument")
DOCUMENT_OR_ENVELOPE = {"oneOf": [DOCUMENT, _ref("AutomationWithSettings")]}
DRY_RUN_REPORT = _ref("DryRunReport")
FIELD_ERRORS = _ref("FieldErrors")


class PluginAutoSchema(AutoSchema):
    """drf-spectacular's inspector, reading each view's ``openapi`` declaration.

    (``@extend_schema`` would need the host's ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` to be
    drf-spectacular's; a plugin does not set the host's defaults.)
    """

    def _declared(self, key, default=None):
        return getattr(self.view, "openapi", {}).get(self.method.lower(), {}).get(key, default)

    def get_operation_id(self):
        return self._declared("operation_id") or super().get_operation_id()

    def get_request_serializer(self):
        return self._declared("request") or super().get_request_serializer()

    def get_response_serializers(self):
        return self._declared("responses") or super().get_response_serializers()

    def get_override_parameters(self):
        return self._declared("parameters", [])


class SignedSourceScheme(OpenApiAuthenticationExtension):
    """Commerce sources sign their requests (``hmac_auth``); the three headers together authenticate."""

    target_class = "lms_automations.rest.hmac_auth.HmacSourceAuthentication"
    name = "signedSource"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": SIGNATURE_HEADER,
                "description": f"{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of b'<timestamp>.' + body>, with "
                               f"{SOURCE_HEADER} and {TIMESTAMP_HEADER} (docs/how-to/ingest-events-over-rest.md)"}


class OpenEdxJwtScheme(OpenApiAuthenticationExtension):
    """edx-drf-extensions' JWT: ``Authorization: JWT <token>``."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "JWT <token> of a user or service user (not of a restricted OAuth application)"}


def _documented_patterns():
    from . import urls  # pylint: disable=import-outside-toplevel

    return [path(MOUNT, include(urls.canonical_patterns))]


class SchemaView(SpectacularAPIView):
    """``GET v1/schema/``: the OpenAPI 3 schema (YAML, or JSON with ``?format=json``)."""

    permission_classes = [CanReadSchema]
    custom_settings = {
        "TITLE": "lms-automations REST API",
        "DESCRIPTION": "Ingest events and import, list, update and export automations (SPEC §7.3).",
        "VERSION": "v1",
        "APPEND_COMPONENTS": {"schemas": DOCUMENT_COMPONENTS},
        "COMPONENT_SPLIT_REQUEST": True,
        "ENUM_NAME_OVERRIDES": {"AutomationStatusEnum": "lms_automations.models.Automation.STATUS"},
    }

    def get_authenticators(self):
        return user_authenticators()

    @property
    def patterns(self):
        return _documented_patterns()
