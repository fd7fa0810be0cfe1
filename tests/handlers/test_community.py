"""Forum, exam, IDV, badge and program-certificate signals become catalogue events."""
import pytest
from openedx_events.learning import signals

from lms_automations.models import Event

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create(username="ada", email="ada@example.com")


def recorded():
    return {e.event_type: {k: v for k, v in e.payload.items() if k != "user_id"} for e in Event.objects.all()}


def test_forum_exam_idv_badge_and_program_signals(ada):
    signals.FORUM_THREAD_RESPONSE_CREATED.send_event(thread=f.thread_data(ada))
    signals.EXAM_ATTEMPT_VERIFIED.send_event(exam_attempt=f.exam_data(ada))
    signals.IDV_ATTEMPT_DENIED.send_event(idv_attempt=f.idv_data(ada, "denied"))
    signals.BADGE_AWARDED.send_event(badge=f.badge_data(ada))
    signals.PROGRAM_CERTIFICATE_AWARDED.send_event(program_certificate=f.program_certificate_data(ada))
    assert recorded() == {
        "forum.response_created": {"course_key": f.COURSE, "thread_id": "t-1"},
        "exam.verified": {"course_key": f.COURSE, "block_key": f.EXAM_BLOCK, "exam_type": "timed"},
        "idv.denied": {},
        "badge.awarded": {"badge_name": "Finisher", "badge_uuid": f.BADGE_UUID},
        "program_certificate.awarded": {"program_uuid": f.PROGRAM_UUID, "program_title": "Data Science"},
    }
    assert set(Event.objects.values_list("user_id", flat=True)) == {ada.pk}
