"""Every admin URL the plugin registers — its own views and those it inherits from Django admin and
django-simple-history — refuses a course team member an object of another course (404 or 403),
and no list shows one. The URLs are read from the registered ModelAdmins, so a view added later is
covered without touching this test."""
import datetime
import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, reverse
from django.urls.resolvers import RegexPattern

from lms_automations import api
from lms_automations.models import (
    Automation,
    CustomEventType,
    Event,
    Learner,
    LearnerField,
    LearnerList,
    LearnerTag,
    ListMembership,
    MarketingConsent,
    PointsEntry,
    Run,
)

from .conftest import COURSE_B

pytestmark = pytest.mark.django_db

#: What every page of course B's objects would show; none of it may reach course A's team.
MARKERS = ("Automation of B", "bob_of_b", "bob@example.com", COURSE_B)
#: Enough for every staff action's form to act, were it allowed to (confirmations included).
POST_DATA = {"post": "yes", "confirm": "1", "mode": "remove", "learners": "bob_of_b", "everyone": "on",
             "from_step": "first", "step_id": "wait", "name": "Moved into A", "status": "inactive",
             "scope_courses": '["course-v1:Mine+A+2026"]', "scope_orgs": "[]", "_save": "Save"}


@pytest.fixture
def course_b_objects(automation_b, bob):
    """One object of course B (or of its learner) for every model the plugin shows in admin."""
    api.update_automation(automation_b, {**api.export_automation(automation_b), "description": "edited"})
    run, = api.start_learners(automation_b, [bob])
    learner_list = LearnerList.objects.create(slug="b-list", name="List of bob_of_b")
    ListMembership.objects.create(learner_list=learner_list, user=bob)
    return {
        Automation: automation_b,
        Run: run,
        Event: Event.objects.create(event_type="enrollment.created", user=bob, source="openedx_events",
                                    payload={"user_id": bob.pk, "course_key": COURSE_B}, idempotency_key="b",
                                    occurred_at=datetime.datetime.now(datetime.UTC)),
        CustomEventType: CustomEventType.objects.get(slug="go"),
        LearnerTag: LearnerTag.objects.create(user=bob, tag="b-tag"),
        LearnerList: learner_list,
        LearnerField: LearnerField.objects.create(user=bob, name="b_field", value="x"),
        PointsEntry: PointsEntry.objects.create(user=bob, amount=5, course_key=COURSE_B, reason="b"),
        MarketingConsent: MarketingConsent.objects.create(user=bob, subscribed=True),
        Learner: Learner.objects.get(automation=automation_b, user=bob),
    }


#: The value an object's URLs take where it is not its primary key (the learner page is by user id).
URL_VALUE = {Learner: lambda obj: obj.user_id}
#: URL parameters that name no object: a real value of theirs (the gallery's templates by slug).
NOT_OBJECT_SLOTS = {"<slug:slug>": "welcome_and_nudge", "<str:kind>": "tag"}


def plugin_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()  # pylint: disable=protected-access
            if model._meta.app_label == "lms_automations"]


def admin_urls(model_admin, obj):
    """``(url, names an object)`` for every URL pattern of ``model_admin``, filled in for ``obj``."""
    base = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    version = obj.history.latest("history_date").history_id if hasattr(obj, "history") else 1
    for pattern in model_admin.get_urls():
        assert isinstance(pattern, URLPattern), f"nested URLs under {model_admin}: extend this test"
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):
            text = text.removeprefix("^").removesuffix("$")
            slots = re.findall(r"\([^)]*\)", text)
        else:
            slots = re.findall(r"<[^>]+>", text)
        for slot, value in NOT_OBJECT_SLOTS.items():
            if slot in slots:
                text, slots = text.replace(slot, value), [other for other in slots if other != slot]
        assert len(slots) <= 2, f"{text}: a URL with {len(slots)} parameters; extend this test"
        key = URL_VALUE.get(type(obj), lambda item: item.pk)(obj)
        for slot, value in zip(slots, (key, version)[:len(slots)], strict=True):
            text = text.replace(slot, str(value), 1)
        yield base + text, bool(slots)


def test_every_model_the_plugin_shows_in_admin_has_a_course_b_object_here(course_b_objects):
    assert {model for model, _admin in plugin_admins()} <= set(course_b_objects), (
        "a model was added to the admin: give this test an object of course B for it")


def test_course_a_staff_get_404_or_403_on_every_url_of_course_b_objects(client, teacher_a, course_b_objects):
    before = _state(course_b_objects)
    client.force_login(teacher_a)
    checked = 0
    for model, model_admin in plugin_admins():
        for url, names_object in admin_urls(model_admin, course_b_objects[model]):
            for method in ("get", "post"):
                response = getattr(client, method)(url, POST_DATA if method == "post" else None, follow=True)
                if names_object:
                    assert response.status_code in (403, 404), f"{method.upper()} {url}: {response.status_code}"
                else:  # a list, the add page, the catalogue, the builder's JSON endpoints (400: no document
                    # sent): they may answer, without course B in them
                    assert response.status_code in (200, 400, 403, 405), (
                        f"{method.upper()} {url}: {response.status_code}")
                    page = response.content.decode()
                    assert not [marker for marker in MARKERS if marker in page], f"{method.upper()} {url} shows B"
                checked += 1
        for action in model_admin.get_actions(_request(teacher_a)):
            client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
                        {**POST_DATA, "action": action, "_selected_action": [course_b_objects[model].pk]})
    assert checked > 60  # the enumeration found the views (Django's, simple-history's and the plugin's)
    assert _state(course_b_objects) == before


def test_the_same_urls_answer_for_platform_staff(client, platform_staff, course_b_objects):
    """The enumeration builds real URLs: platform staff reach every one of them."""
    client.force_login(platform_staff)
    for model, model_admin in plugin_admins():
        for url, _names_object in admin_urls(model_admin, course_b_objects[model]):
            response = client.get(url, follow=True)
            # 403: never addable; 400: a builder endpoint that takes a posted JSON document
            assert response.status_code in (200, 400, 403), f"GET {url}: {response.status_code}"
            if response.status_code == 403:
                assert url.endswith("/add/") or "/delete/" in url, url


def _request(user):
    from django.test import RequestFactory  # pylint: disable=import-outside-toplevel

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _state(objects):
    automation, run = objects[Automation], objects[Run]
    automation.refresh_from_db()
    run.refresh_from_db()
    return {
        "automation": (automation.name, automation.status, automation.scope_courses, automation.description,
                       automation.steps.count(), automation.history.count()),
        "run": (run.status, run.current_step_id, run.visit),
        "rows": {model.__name__: model.objects.filter(pk=obj.pk).exists() for model, obj in objects.items()},
    }
