"""The REST API of the plugin (SPEC §7.3), mounted by the LMS under ``/api/automations/v1/``.

    POST v1/events/                      ingest a custom.* or commerce event (JWT, session or HMAC)
    GET  v1/event-types/                 event types, their fields, the automations each starts / stops
    POST v1/event-types/                 declare a custom.<slug> type (platform staff)
    GET  v1/automations/                 the automations the caller may see
    POST v1/automations/                 import a v1 document
    GET  v1/automations/<id>/export      the v1 document

Every view here declares its own authentication, permissions, parsers, renderers, throttles and
exception handler, so the host's ``REST_FRAMEWORK`` defaults change nothing about the contract.
"""
