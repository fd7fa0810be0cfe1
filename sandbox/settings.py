"""Settings of the sandbox LMS.

Zero setup by default (SQLite, and a Celery broker kept in a SQLite file). ``DATABASE_URL`` points it
at MariaDB/MySQL or PostgreSQL and ``CELERY_BROKER_URL`` at Redis or RabbitMQ. The plugin is found and
configured the way edx-platform does it: through its ``lms.djangoapp`` entry point.
"""
import os
from pathlib import Path

import dj_database_url
from edx_django_utils.plugins import add_plugins, get_plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SANDBOX_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SANDBOX_SECRET_KEY", "sandbox-only-not-a-secret")
DEBUG = os.environ.get("SANDBOX_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ROOT_URLCONF = "sandbox.urls"
# The LMS's public root (edx-platform has the same setting): links in e-mails point here.
LMS_ROOT_URL = os.environ.get("LMS_ROOT_URL", "http://127.0.0.1:8000")
WSGI_APPLICATION = "sandbox.wsgi.application"
# Where the admin's "view site" link goes: the sandbox's "Play a learner" page.
SANDBOX_ADMIN_SITE_URL = os.environ.get("SANDBOX_ADMIN_SITE_URL", "/play/")
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "waffle",
    "rest_framework",
    "simple_history",
    "edx_ace",
    "push_notifications",  # edx-ace's push channel models, installed in edx-platform too
    "sandbox.lms",
]
# Plugins found through the lms.djangoapp entry point (edx-completion and edx-toggles are
# among them, as in edx-platform).
INSTALLED_APPS += get_plugin_apps("lms.djangoapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}",
        conn_max_age=int(os.environ.get("SANDBOX_CONN_MAX_AGE", "0")),  # benchmarks keep worker connections
    )
}
# Like edx-platform: every web request runs in one transaction, so signals fire before commit.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    import pymysql

    pymysql.install_as_MySQLdb()
    DATABASES["default"].setdefault("OPTIONS", {})["charset"] = "utf8mb4"
    DATABASES["default"].setdefault("TEST", {})["CHARSET"] = "utf8mb4"

# Celery: a broker in a SQLite file by default, so the demo runs with nothing else installed.
# The definitions version must be shared by every process (the LMS's cache is): SANDBOX_CACHE_URL
# names a Redis cache for the benchmarks' workers; by default each process has its own.
if os.environ.get("SANDBOX_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["SANDBOX_CACHE_URL"]}}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "edx.lms.core.default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The e-mail the plugin sends through edx-ace lands in files the demo can show.
EMAIL_BACKEND = os.environ.get("SANDBOX_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = "automations@sandbox.localhost"
ACE_ENABLED_CHANNELS = ["django_email"]
ACE_ENABLED_POLICIES = []
ACE_CHANNEL_DEFAULT_EMAIL = "django_email"
ACE_CHANNEL_TRANSACTIONAL_EMAIL = "django_email"
ACE_CHANNEL_SAILTHRU_DEBUG = True
ACE_CHANNEL_SAILTHRU_TEMPLATE_NAME = None
ACE_CHANNEL_SAILTHRU_API_KEY = None
ACE_CHANNEL_SAILTHRU_API_SECRET = None
ACE_ROUTING_KEY = "edx.lms.core.default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SANDBOX_LOG_LEVEL", "INFO")},
    # openedx-events logs every receiver's response at INFO: too chatty for the demo.
    "loggers": {"openedx_events": {"level": "WARNING"}},
}
OPENEDX_TELEMETRY = []  # no New Relic / Datadog in the sandbox

# The operator's view of the plugin: the sandbox host backend instead of the real LMS.
LMS_AUTOMATIONS = {
    "HOST_BACKEND": "sandbox.lms.host_backend.SandboxHost",
}

add_plugins(__name__, "lms.djangoapp", "common")
