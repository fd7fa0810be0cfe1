"""URLs of the sandbox LMS: the Django admin and each plugin's URLs, mounted as edx-platform does.

edx-completion's REST views need edx-platform's authentication classes, so a plugin whose URL
module does not import here is left out (logged), as its receivers are.
"""
import logging

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from sandbox.lms.play import play_view

log = logging.getLogger(__name__)


def plugin_url_patterns(project_type="lms.djangoapp"):
    patterns = []
    for app_config in apps.get_app_configs():
        url_config = (getattr(app_config, "plugin_app", None) or {}).get("url_config", {}).get(project_type)
        if not url_config:
            continue
        module = f"{app_config.name}.{url_config.get('relative_path', 'urls')}"
        namespace = url_config.get("namespace", app_config.label)
        try:
            included = include((module, url_config.get("app_name", namespace)), namespace=namespace)
            patterns.append(re_path(url_config.get("regex", r"^"), included))
        except Exception:  # pylint: disable=broad-except
            log.debug("sandbox: URLs of %s are not mounted here", app_config.name)
    return patterns


# The admin's "view site" link: the page where staff play a learner (issue 10 §9).
admin.site.site_url = settings.SANDBOX_ADMIN_SITE_URL

urlpatterns = [
    path("play/", admin.site.admin_view(play_view), name="sandbox_play"),
    path("admin/", admin.site.urls),
    *plugin_url_patterns(),
]
