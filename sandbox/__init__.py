"""The sandbox: a runnable stand-in LMS with the plugin installed (SPEC §9)."""
from .celery import app as celery_app

__all__ = ["celery_app"]
