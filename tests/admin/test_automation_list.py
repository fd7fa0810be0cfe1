"""The automation list: what each automation is doing, in one query however many there are."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms_automations.models import Automation, Run

from .conftest import make_automation

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/lms_automations/automation/"
NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def _runs(automation, users, *statuses):
    for user, status in zip(users, statuses, strict=False):
        Run.objects.create(automation=automation, user=user, status=status, started_at=NOW)


def _row(page, name):
    start = page.index(f">{name}</a>")
    return page[start:page.index("</tr>", start)]


def test_the_list_counts_learners_now_runs_started_and_conversions(staff_client, automation, learners):
    _runs(automation, learners, Run.STATUS.pending, Run.STATUS.converted, Run.STATUS.converted)
    _runs(automation, learners, Run.STATUS.fulfilled)
    page = staff_client.get(LIST_URL).content.decode()
    row = _row(page, "Two tags")
    cells = {name: row.split(f'class="field-{name}">')[1].split("</td>")[0]
             for name in ("learners_now", "runs_started", "conversions", "status")}
    assert ">1</a>" in cells["learners_now"]  # links to the runs in the flow
    assert cells["runs_started"] == "4" and cells["conversions"] == "2" and cells["status"] == "Active"
    runs_now = staff_client.get(cells["learners_now"].split('href="')[1].split('"')[0].replace("&amp;", "&"))
    assert runs_now.status_code == 200 and list(runs_now.context["cl"].queryset) == [
        Run.objects.get(automation=automation, status=Run.STATUS.pending)]


def test_last_edited_names_who_saved_it_in_admin(staff_client, staff, automation):
    staff_client.post(LIST_URL, {"action": "label_selected", "_selected_action": [automation.pk], "post": "yes",
                                 "add": "onboarding, PY101", "remove": ""})
    automation.refresh_from_db()
    assert automation.labels == ["onboarding", "PY101"]
    row = _row(staff_client.get(LIST_URL).content.decode(), "Two tags")
    assert "by teacher" in row


def test_the_list_filters_by_label(staff_client, automation):
    automation.labels = ["onboarding"]
    automation.save()
    make_automation("Unlabelled")
    page = staff_client.get(LIST_URL).content.decode()
    assert "?label=onboarding" in page  # the filter offers it
    filtered = staff_client.get(LIST_URL, {"label": "onboarding"}).content.decode()
    assert ">Two tags</a>" in filtered and ">Unlabelled</a>" not in filtered


def test_the_list_costs_the_same_queries_for_many_automations(staff_client, automation, learners):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(LIST_URL).status_code == 200
        return len(captured)

    _runs(automation, learners, Run.STATUS.pending, Run.STATUS.converted)
    few = count_queries()
    for index in range(6):
        other = make_automation(f"More {index}")
        _runs(other, learners, Run.STATUS.pending, Run.STATUS.fulfilled, Run.STATUS.converted)
    assert Automation.objects.count() == 7
    assert count_queries() == few


def test_the_list_query_count_is_fixed(django_assert_num_queries, staff_client, automation, learners):
    for index in range(4):
        _runs(make_automation(f"More {index}"), learners, Run.STATUS.pending)
    staff_client.get(LIST_URL)  # warm the session and content types
    # The request's savepoint and its release, session, user, the user's and group permissions,
    # the staff member's visible automations (for the rows, then for the label filter), the
    # filter's labels, the count and the total count, the rows with every column, their triggers.
    with django_assert_num_queries(13):
        staff_client.get(LIST_URL)


def test_labels_are_typed_as_words_on_the_automation_page(staff_client, automation):
    from lms_automations.admin.automation_list import LabelsField

    automation.labels = ["onboarding", "PY101"]
    automation.save()
    page = staff_client.get(f"/admin/lms_automations/automation/{automation.pk}/change/?classic=1").content.decode()
    assert 'name="labels" value="onboarding, PY101"' in page
    assert LabelsField(required=False).clean(" onboarding, PY101,, onboarding ") == ["onboarding", "PY101"]
