"""Run pages people read: titled by learner and automation, the timeline in sentences with times to
the second in the viewer's zone, nothing to save; the learner page with all their runs and events."""
import copy
import datetime
import re

import pytest
import time_machine

from lms_automations import api
from lms_automations.models import Event, Run
from sandbox.lms import services
from sandbox.lms.models import UserProfile

from .conftest import DOCUMENT, MINE, OTHER, make_automation, run_url

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 2, 7, 0, tzinfo=datetime.UTC)  # 09:00 in Kyiv
BRANCHING = {
    **DOCUMENT, "name": "Passed or not",
    "steps": [
        {"id": "passed?", "type": "branch",
         "condition": {"all": [{"condition": "course.passed", "params": {"course_key": MINE}}]},
         "yes": [{"id": "tag-passed", "type": "action", "action": "tag.add", "params": {"tags": ["passed"]}}],
         "no": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}]},
    ],
}


@pytest.fixture
def kyiv_staff(staff):
    UserProfile.objects.create(user=staff, name="Teacher", time_zone="Europe/Kyiv")
    return staff


@pytest.fixture
def ada(learners):
    ada = learners[0]
    ada.first_name, ada.last_name = "Ada", "Lovelace"
    ada.save()
    return ada


def _started_run(automation, user):
    with time_machine.travel(NOW, tick=False):
        api.start_learners(automation, [user])
    return Run.objects.get(automation=automation, user=user)


def _sentences(response):
    return [line.sentence for line in response.context["timeline"]]


def test_the_run_page_is_titled_by_learner_and_automation_without_save_buttons(staff_client, automation, ada):
    run = _started_run(automation, ada)
    response = staff_client.get(run_url(run, "change/"))
    page = response.content.decode()
    assert "<h1>Ada Lovelace (ada@example.com) in “Two tags”</h1>" in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    # A POST saves nothing (the engine's fields are not a form).
    status = run.status
    staff_client.post(run_url(run, "change/"), {"status": "cancelled"})
    run.refresh_from_db()
    assert run.status == status


def test_the_timeline_reads_as_sentences_in_the_viewers_zone(client, kyiv_staff, automation, ada):
    client.force_login(kyiv_staff)
    run = _started_run(automation, ada)
    response = client.get(run_url(run, "change/"))
    assert _sentences(response) == [
        "Entered the flow: started by staff.",
        "Did “Add tags” (tag.add): tags one.",
        "Waiting until 3 Dec 2026 09:00:00 (Europe/Kyiv).",
    ]
    assert response.context["timeline"][0].at == "2 Dec 2026 09:00:00"
    assert "Times in Europe/Kyiv" not in response.content.decode()  # said once, above the table:
    assert "times in Europe/Kyiv" in response.content.decode()
    assert "2 Dec 2026 09:00:00 (Europe/Kyiv)" in response.content.decode()  # the Started field


def test_a_branch_says_which_condition_was_false_and_the_side_taken(staff_client, automation, ada):
    automation = api.import_automation(copy.deepcopy(BRANCHING))
    run = _started_run(automation, ada)
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        api.process_due()
    sentences = _sentences(staff_client.get(run_url(run, "change/")))
    assert (f"The condition did not hold → took the no side: “Passed the course” (course.passed) for {MINE} "
            "was false.") in sentences
    assert "Waited until 3 Dec 2026 07:00:00 (UTC)." in sentences  # no longer the last line
    assert sentences[-1] == "Reached the end of the flow."


def test_raw_detail_stays_behind_a_disclosure(staff_client, automation, ada):
    run = _started_run(automation, ada)
    page = staff_client.get(run_url(run, "change/")).content.decode()
    assert "<summary>Details (JSON)</summary>" in page
    assert page.index("Did “Add tags”") < page.index("&quot;tags&quot;")


def test_a_run_of_another_course_is_not_found(staff_client, automation, learners):
    theirs = make_automation("Theirs", course=OTHER)
    run = _started_run(theirs, learners[0])
    assert staff_client.get(run_url(run, "change/")).status_code == 404


def test_the_learner_page_lists_their_runs_and_events_within_the_viewers_courses(staff_client, automation, ada):
    mine = _started_run(automation, ada)
    theirs = _started_run(make_automation("Theirs", course=OTHER), ada)
    response = staff_client.get(f"/admin/lms_automations/learner/{ada.pk}/")
    page = response.content.decode()
    assert "<h1>Ada Lovelace (ada@example.com)</h1>" in page
    assert run_url(mine, "change/") in page and run_url(theirs, "change/") not in page
    assert "Theirs" not in page
    row = page[page.index(run_url(mine, "change/")) - 600:page.index(run_url(mine, "change/"))]
    assert "Pending" in row and ">wait<" in row
    enrolled = Event.objects.filter(user=ada, event_type="enrollment.created").first()
    assert enrolled is not None and "enrollment.created" in page


def test_the_learner_page_of_someone_outside_the_viewers_courses_is_not_found(staff_client, staff, db):
    services.create_course(OTHER)
    stranger = services.create_learner("stranger", "stranger@example.com")
    services.enroll(stranger, OTHER)
    assert staff_client.get(f"/admin/lms_automations/learner/{stranger.pk}/").status_code == 404
    assert staff_client.get("/admin/lms_automations/learner/999999/").status_code == 404


def test_the_learners_list_links_to_learner_pages(staff_client, automation, ada):
    _started_run(automation, ada)
    page = staff_client.get("/admin/lms_automations/learner/").content.decode()
    assert f'href="/admin/lms_automations/learner/{ada.pk}/"' in page


def _actions_executed(response):
    """The "Actions executed" table as rendered: one ``{column: text}`` per row ("original" is the
    row's own title, above its cells)."""
    page = response.content.decode()
    table = page[page.index("Actions executed"):]
    table = table[:table.index("</table>")]
    rows = []
    for row in table.split('<tr class="form-row')[1:]:
        cells = dict(re.findall(r'<td class="(?:field-)?(\w+)">\s*<p>\s*(.*?)\s*</p>', row, re.S))
        rows.append(cells)
    return rows


def test_actions_executed_show_each_steps_visit_and_the_engines_time_after_a_cut_short_wait(
        client, kyiv_staff, automation, ada):
    from lms_automations.engine.stepping import advance_runs  # pylint: disable=import-outside-toplevel

    client.force_login(kyiv_staff)
    run = _started_run(automation, ada)
    # The play page's "Let the days pass": the wall clock moved five minutes, the engine is told a day did.
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        advance_runs([run.pk], now=NOW + datetime.timedelta(days=1, minutes=1))
    response = client.get(run_url(run, "change/"))
    rows = _actions_executed(response)
    assert [(row["step_id"], row["step_visit"], row["last_change"]) for row in rows] == [
        ("first", "1", "2 Dec 2026 09:00:00"),
        ("second", "1", "3 Dec 2026 09:01:00"),
    ]
    assert [row["original"] for row in rows] == ["tag.add at first: succeeded", "tag.add at second: succeeded"]
    assert response.context["timeline"][-2].at == "3 Dec 2026 09:01:00"  # as the timeline says
