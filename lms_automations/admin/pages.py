"""Rendering the staff action pages inside the admin's frame (header, breadcrumbs, messages)."""
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

TEMPLATES = "admin/lms_automations/staff_actions"


def render_page(model_admin, request, template, *, title, obj=None, subtitle=None, **context):
    """A staff action page: ``obj`` (if any) is linked in the breadcrumbs after the model's list."""
    opts = model_admin.opts
    return TemplateResponse(request, f"{TEMPLATES}/{template}", {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "title": title,
        "subtitle": subtitle or (str(obj) if obj is not None else None),
        "original": obj,
        "object_url": change_url(obj) if obj is not None else None,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        **context,
    })


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def require(allowed):
    """Refuse (403) a user who may see the object but lacks the model permission the action needs."""
    if not allowed:
        raise PermissionDenied
