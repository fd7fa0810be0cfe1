"""Tracking URLs, included by the plugin's ``urls.py`` under ``email/`` (so ``/api/automations/email/…``)."""
from django.urls import path

from . import views

urlpatterns = [
    path("open/<str:token>.gif", views.opened, name="email-opened"),
    path("click/<str:token>/", views.clicked, name="email-clicked"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="email-unsubscribe"),
]
