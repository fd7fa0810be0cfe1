"""URLs of the plugin, mounted by the host under ``/api/automations/`` (REST API: SPEC §7.3; the
e-mail tracking links under ``email/``)."""
from django.urls import include, path

app_name = "lms_automations"
urlpatterns = [
    path("email/", include("lms_automations.tracking.urls")),
]
