"""URLs of the plugin, mounted by the host under ``/api/automations/``: the REST API under ``v1/``
(SPEC §7.3, ``lms_automations.rest``) and the e-mail tracking links under ``email/``."""
from django.urls import include, path

app_name = "lms_automations"
urlpatterns = [
    path("", include("lms_automations.rest.urls")),
    path("email/", include("lms_automations.tracking.urls")),
]
