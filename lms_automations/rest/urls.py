"""Routes of the REST API, included by ``lms_automations.urls``.

The names give the canonical paths (``v1/events/``, ``v1/automations/``, ``v1/automations/<id>/``
(PUT), ``v1/automations/<id>/export``, ``v1/automations/<id>/dry-run``, ``v1/automations/dry-run``,
``v1/event-types/``, ``v1/schema/``); the same views also answer with or without the trailing slash,
because a POST redirected by ``APPEND_SLASH`` would lose its body. The OpenAPI schema documents the
canonical paths.
"""
from django.urls import path, re_path

from . import views
from .automation_update import AutomationUpdateView
from .event_types import EventTypeListView
from .schema import SchemaView

events = views.EventIngestView.as_view()
automations = views.AutomationListView.as_view()
export = views.AutomationExportView.as_view()
update = AutomationUpdateView.as_view()
dry_run = views.AutomationDryRunView.as_view()
new_dry_run = views.NewDryRunView.as_view()
event_types = EventTypeListView.as_view()

canonical_patterns = [
    path("v1/events/", events, name="rest-events"),
    path("v1/automations/", automations, name="rest-automations"),
    path("v1/automations/<int:pk>/export", export, name="rest-automation-export"),
    path("v1/automations/<int:pk>/", update, name="rest-automation"),
    path("v1/automations/<int:pk>/dry-run", dry_run, name="rest-automation-dry-run"),
    path("v1/automations/dry-run", new_dry_run, name="rest-automation-new-dry-run"),
    path("v1/event-types/", event_types, name="rest-event-types"),
]
urlpatterns = [
    *canonical_patterns,
    re_path(r"^v1/events$", events),
    re_path(r"^v1/automations$", automations),
    re_path(r"^v1/event-types$", event_types),
    re_path(r"^v1/automations/(?P<pk>[0-9]+)/export/$", export),
    re_path(r"^v1/automations/(?P<pk>[0-9]+)$", update),
    re_path(r"^v1/automations/(?P<pk>[0-9]+)/dry-run/$", dry_run),
    re_path(r"^v1/automations/dry-run/$", new_dry_run),
    path("v1/schema/", SchemaView.as_view(), name="rest-schema"),
]
