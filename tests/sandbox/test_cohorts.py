"""Cohort membership is announced before its row is written."""
import pytest
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CohortData, CourseData, UserData, UserPersonalData
from openedx_events.learning.signals import COHORT_MEMBERSHIP_CHANGED

from sandbox.lms import services
from sandbox.lms.models import CohortMembership

from .conftest import COURSE

pytestmark = pytest.mark.django_db
ADA_PII = UserPersonalData(username="ada", email="ada@example.com", name="Ada Lovelace")


@pytest.fixture
def rows_seen():
    """What the cohort table held, for the learner, when each COHORT_MEMBERSHIP_CHANGED was received."""
    seen = []

    def receiver(cohort, **kwargs):
        seen.append(list(CohortMembership.objects.filter(user_id=cohort.user.id).values_list("name", flat=True)))

    COHORT_MEMBERSHIP_CHANGED.connect(receiver, weak=False, dispatch_uid="test-cohort-rows")
    yield seen
    COHORT_MEMBERSHIP_CHANGED.disconnect(dispatch_uid="test-cohort-rows")


def test_join_sends_the_event_before_the_row_exists(recorder, rows_seen, course, ada):
    membership = services.join_cohort(ada, COURSE, "Evening group")

    assert recorder.names() == ["cohort_membership.changed"]
    assert recorder.sent[0].data == CohortData(
        user=UserData(id=ada.id, is_active=True, pii=ADA_PII),
        course=CourseData(course_key=CourseKey.from_string(COURSE)),
        name="Evening group",
    )
    assert rows_seen == [[]]  # not written yet when receivers ran
    assert CohortMembership.objects.get(pk=membership.pk).name == "Evening group"


def test_moving_cohort_announces_the_new_name_while_the_row_still_has_the_old(recorder, rows_seen, course, ada):
    services.join_cohort(ada, COURSE, "A")
    recorder.clear()

    services.join_cohort(ada, COURSE, "B")

    assert [(s.name, s.data.name) for s in recorder.sent] == [("cohort_membership.changed", "B")]
    assert rows_seen == [[], ["A"]]
    assert list(CohortMembership.objects.values_list("name", flat=True)) == ["B"]


def test_joining_the_same_cohort_again_changes_and_sends_nothing(recorder, course, ada):
    first = services.join_cohort(ada, COURSE, "A")
    recorder.clear()

    assert services.join_cohort(ada, COURSE, "A").pk == first.pk
    assert recorder.sent == []
