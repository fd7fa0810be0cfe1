"""Routes of the REST API, included by ``lms_automations.urls``.

The names give the canonical paths (``v1/events/``, ``v1/automations/``, ``v1/automations/<id>/export``);
the same views also answer with or without the trailing slash, because a POST redirected by
``APPEND_SLASH`` would lose its body.
"""
from django.urls import path, re_path

from . import views

events = views.EventIngestView.as_view()
automations = views.AutomationListView.as_view()
export = views.AutomationExportView.as_view()

urlpatterns = [
    path("v1/events/", events, name="rest-events"),
    re_path(r"^v1/events$", events),
    path("v1/automations/", automations, name="rest-automations"),
    re_path(r"^v1/automations$", automations),
    path("v1/automations/<int:pk>/export", export, name="rest-automation-export"),
    re_path(r"^v1/automations/(?P<pk>[0-9]+)/export/$", export),
]
