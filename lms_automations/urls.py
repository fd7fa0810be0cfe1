"""URLs of the plugin, mounted by the host under ``/api/automations/`` (REST API: SPEC §7.3)."""

app_name = "lms_automations"
urlpatterns = []
