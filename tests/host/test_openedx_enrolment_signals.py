"""A fresh enrolment in a paid mode, made the way the LMS makes it, is one ``enrollment.created`` in
that mode (ADR 0018): the stand-in enrolment API sends what edx-platform's does —
CHANGED(audit) → CREATED(audit) → CHANGED(verified) in one commit — and the plugin folds the mode in."""
import pytest

from lms_automations import api
from lms_automations.host import get_host
from lms_automations.models import Event, Run
from sandbox.lms import services

from .conftest import COURSE

pytestmark = pytest.mark.django_db
NEXT = "course-v1:Demo+OX2+2026"


@pytest.fixture
def ada():
    return services.create_learner("ada")


def dispatched(event_type=None):
    events = Event.objects.filter(dispatch_status=Event.DISPATCH.dispatched).order_by("id")
    if event_type:
        events = events.filter(event_type=event_type)
    return [(event.event_type, event.payload.get("mode") or event.payload.get("to_mode")) for event in events]


def test_the_standin_enrolment_api_sends_what_edx_platform_sends(lms, host, ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        host.enroll(ada.pk, str(COURSE), "verified")
    recorded = [(event.event_type, event.payload.get("to_mode"), event.payload.get("is_active"))
                for event in Event.objects.order_by("id")]
    assert recorded == [("enrollment.mode_changed", "audit", True), ("enrollment.created", None, None),
                        ("enrollment.mode_changed", "verified", True)]


def test_enrolling_in_verified_through_the_host_is_one_enrolment_in_verified(lms, host, ada,
                                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        host.enroll(ada.pk, str(COURSE), "verified")
    assert dispatched() == [("enrollment.created", "verified")]
    assert not Event.objects.filter(event_type="enrollment.upgraded").exists()


def test_a_later_upgrade_through_the_host_is_an_upgrade(lms, host, ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        host.enroll(ada.pk, str(COURSE), "audit")
    with django_capture_on_commit_callbacks(execute=True):
        host.change_mode(ada.pk, str(COURSE), "verified")
    assert dispatched() == [("enrollment.created", "audit"), ("enrollment.mode_changed", "verified"),
                            ("enrollment.upgraded", "verified")]


def test_the_plugins_enrol_action_starts_the_welcome_flow_not_the_upgrade_flow(
        lms, ada, django_capture_on_commit_callbacks):
    def automation(name, event, course):
        return api.import_automation({
            "format": "lms-automations/v1", "name": name, "status": "active", "execution": "async",
            "scope": {"courses": [course], "orgs": []}, "entry": {"policy": "once", "period": None},
            "triggers": [{"event": event}], "exit_conditions": [],
            "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [name]}}],
        })

    bundle = api.import_automation({
        "format": "lms-automations/v1", "name": "Bundle", "status": "active", "execution": "async",
        "scope": {"courses": [str(COURSE)], "orgs": []}, "entry": {"policy": "once", "period": None},
        "triggers": [{"event": "enrollment.created"}], "exit_conditions": [],
        "steps": [{"id": "enrol", "type": "action", "action": "enrollment.enroll",
                   "params": {"course_key": NEXT, "mode": "verified"}}],
    })
    welcome = automation("welcome", "enrollment.created", NEXT)
    upgrade = automation("thanks-for-upgrading", "enrollment.upgraded", NEXT)
    with django_capture_on_commit_callbacks(execute=True):  # the learner enrols in audit
        get_host().enroll(ada.pk, str(COURSE), "audit")
    assert Run.objects.get(automation=bundle, user=ada).status == Run.STATUS.fulfilled
    created = Event.objects.get(event_type="enrollment.created", payload__course_key=NEXT)
    assert created.payload["mode"] == "verified"
    assert Run.objects.filter(automation=welcome, user=ada).exists()
    assert not Run.objects.filter(automation=upgrade, user=ada).exists()
