"""The sandbox configured for tests: Celery eager, SQLite in memory unless ``DATABASE_URL`` is set."""
import os

os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

from edx_django_utils.plugins import add_plugins

from .settings import *  # noqa: F403

# DEBUG makes openedx-events send non-robustly, so a receiver error would reach the host: the
# tests run that way on purpose (pytest-django needs django_debug_mode = true to keep it).
DEBUG = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks run eagerly; the broker is only used by the services tests, which start a real worker on
# CELERY_BROKER_URL (Redis in `make test-services`) with eager mode off.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

add_plugins(__name__, "lms.djangoapp", "test")
