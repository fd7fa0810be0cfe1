"""Start learners from an automation's admin page: a list, a preview of who starts and who is
skipped and why, then the start (SPEC §5.1, §5.11)."""
import pytest
from django.contrib.admin.models import LogEntry

from lms_automations import api
from lms_automations.models import LearnerEntry, LearnerTag, Run, TestLearner
from sandbox.lms import services

from .conftest import MINE as MINE_COURSE
from .conftest import automation_url, messages_of

pytestmark = pytest.mark.django_db
NOT_THEIRS = "not a learner enrolled in this automation's courses"


def test_the_change_page_links_to_the_staff_actions(staff_client, automation):
    page = staff_client.get(automation_url(automation, "change/")).content.decode()
    assert automation_url(automation, "start-learners/") in page
    assert automation_url(automation, "advance-waiting/") in page


def test_preview_lists_who_starts_and_who_is_skipped_and_why_then_confirm_starts_them(
        staff_client, staff, automation, learners):
    ada, grace, alan = learners
    [alans_run] = api.start_learners(automation, [alan])
    url = automation_url(automation, "start-learners/")
    assert 'name="learners"' in staff_client.get(url).content.decode()
    listed = "ada\nGRACE@example.com, nobody\n\nada\nalan"
    preview = staff_client.post(url, {"learners": listed, "preview": "Preview"})
    assert preview.status_code == 200
    selection = preview.context["selection"]
    assert [(who, user.username) for who, user in selection.starting] == [("ada", "ada"),
                                                                         ("GRACE@example.com", "grace")]
    assert selection.skipped == [("nobody", NOT_THEIRS), ("ada", "listed twice"),
                                 ("alan", "already in this automation")]
    page = preview.content.decode()
    assert "2 learners will" in page and "3 skipped" in page and 'value="Start 2 learners"' in page
    assert Run.objects.filter(automation=automation).count() == 1  # a preview starts nobody

    done = staff_client.post(url, {"learners": listed, "confirm": "Start 2 learners"})
    assert done.status_code == 302 and done.url == automation_url(automation, "change/")
    assert messages_of(done) == [
        f"2 learners started in “Two tags”, 3 skipped: nobody ({NOT_THEIRS}), ada (listed twice), "
        "alan (already in this automation)."]
    for learner in (ada, grace):
        run = Run.objects.get(automation=automation, user=learner)
        assert run.status == Run.STATUS.pending and run.current_step_id == "wait"
        assert list(LearnerTag.objects.filter(user=learner).values_list("tag", flat=True)) == ["one"]
        timeline = [entry["message"] for entry in api.explain(run)]
        assert timeline[:2] == ["learner started by teacher (Django admin)", "started by staff"]
    alans_run.refresh_from_db()
    assert alans_run.status == Run.STATUS.pending  # skipped, not restarted
    entry = LogEntry.objects.get(object_id=str(automation.pk))
    assert entry.user == staff and "2 learners started" in entry.get_change_message()


def test_change_the_list_goes_back_to_the_form_with_it(staff_client, automation, learners):
    page = staff_client.post(automation_url(automation, "start-learners/"), {"learners": "ada\ngrace", "edit": "1"})
    assert page.context["form"].initial["learners"] == "ada\ngrace" and "selection" not in page.context
    assert "ada\ngrace</textarea>" in page.content.decode()


def test_once_per_learner_and_testing_and_inactive_accounts_are_skipped(staff_client, automation, learners):
    ada, grace, alan = learners
    automation.entry_policy = "once"
    automation.status = "testing"
    automation.save()
    LearnerEntry.objects.create(automation=automation, user=ada, entry_count=1)
    TestLearner.objects.create(automation=automation, user=ada)
    TestLearner.objects.create(automation=automation, user=alan)
    alan.is_active = False
    alan.save()
    preview = staff_client.post(automation_url(automation, "start-learners/"),
                                {"learners": "ada\ngrace\nalan", "preview": "1"})
    assert preview.context["selection"].skipped == [
        ("ada", "entry policy: the automation runs once per learner, and this learner has been in it"),
        ("grace", "not a test learner of this automation (it is in testing)"),
        ("alan", "the account is not active"),
    ]
    assert "Start 0" not in preview.content.decode() and 'name="confirm"' not in preview.content.decode()
    nothing = staff_client.post(automation_url(automation, "start-learners/"),
                                {"learners": "ada\ngrace\nalan", "confirm": "1"})
    assert nothing.status_code == 200 and not Run.objects.exists()  # shown the preview again


def test_an_empty_or_oversized_list_is_refused(staff_client, automation):
    url = automation_url(automation, "start-learners/")
    empty = staff_client.post(url, {"learners": " \n , \n", "preview": "1"})
    assert "List at least one username or e-mail address, or tick “Everyone enrolled”." in empty.content.decode()
    huge = staff_client.post(url, {"learners": "\n".join(f"user{n}" for n in range(1001)), "preview": "1"})
    assert "At most 1000 learners at once (you listed 1001)" in huge.content.decode()


def test_an_automation_that_is_not_active_starts_nobody(staff_client, automation, learners):
    api.deactivate(automation)
    response = staff_client.get(automation_url(automation, "start-learners/"))
    assert response.status_code == 302
    assert messages_of(response) == [
        "“Two tags” is inactive: activate it (or set it to testing) before starting learners."]


def test_a_course_team_starts_only_learners_of_its_courses_and_learns_nothing_of_others(
        staff_client, automation, learners):
    outsider = services.create_learner("eve", "eve@example.com")  # has an account, not in MINE
    url = automation_url(automation, "start-learners/")
    preview = staff_client.post(url, {"learners": "ada\neve\nnobody", "preview": "Preview"})
    selection = preview.context["selection"]
    assert [who for who, _user in selection.starting] == ["ada"]
    assert selection.skipped == [("eve", "not a learner enrolled in this automation's courses"),
                                 ("nobody", "not a learner enrolled in this automation's courses")]
    assert outsider.pk not in {user.pk for _who, user in selection.starting}


def test_superusers_may_start_any_learner(admin_client, automation, learners):
    services.create_learner("eve", "eve@example.com")
    preview = admin_client.post(automation_url(automation, "start-learners/"),
                                {"learners": "eve\nnobody", "preview": "Preview"})
    selection = preview.context["selection"]
    assert [who for who, _user in selection.starting] == ["eve"]
    assert selection.skipped == [("nobody", "no such learner")]


def test_everyone_enrolled_in_the_scope_courses_with_a_preview_first(staff_client, automation, learners,
                                                                      monkeypatch):
    from lms_automations.admin import automation_views  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(automation_views, "PREVIEW_ROWS", 2)
    services.create_learner("eve", "eve@example.com")  # not enrolled in the course
    ada = learners[0]
    api.start_learners(automation, [ada])
    url = automation_url(automation, "start-learners/")
    preview = staff_client.post(url, {"everyone": "on", "learners": "", "preview": "Preview"})
    selection = preview.context["selection"]
    assert [user.username for _who, user in selection.starting] == ["grace", "alan"]
    assert selection.skipped == [("ada", "already in this automation")]
    page = preview.content.decode()
    assert 'name="everyone" value="on"' in page and "2 learners will" in page
    done = staff_client.post(url, {"everyone": "on", "learners": "", "confirm": "Start 2 learners"})
    assert done.status_code == 302
    assert set(Run.objects.filter(automation=automation).values_list("user__username", flat=True)) == {
        "ada", "grace", "alan"}


def test_everyone_needs_courses_in_the_scope(admin_client, automation):
    from lms_automations.models import Automation  # pylint: disable=import-outside-toplevel

    Automation.objects.filter(pk=automation.pk).update(scope_courses=[], scope_orgs=["Mine"])
    response = admin_client.post(automation_url(automation, "start-learners/"),
                                 {"everyone": "on", "preview": "Preview"})
    assert "names no course in its scope" in response.content.decode()


def test_for_an_organisation_wide_automation_learners_of_the_orgs_courses_start(staff_client, automation, learners,
                                                                                monkeypatch):
    from lms_automations.models import Automation  # pylint: disable=import-outside-toplevel
    from sandbox.lms.host_backend import SandboxHost  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(SandboxHost, "staff_orgs", lambda self, who: {"Mine"})  # the org-wide role it needs
    Automation.objects.filter(pk=automation.pk).update(scope_courses=[], scope_orgs=["Mine"])
    services.create_learner("eve", "eve@example.com")
    preview = staff_client.post(automation_url(automation, "start-learners/"),
                                {"learners": "ada\neve", "preview": "Preview"})
    selection = preview.context["selection"]
    assert [who for who, _user in selection.starting] == ["ada"]
    assert selection.skipped == [("eve", NOT_THEIRS)]


def test_everyone_enrolled_is_counted_page_by_page_and_started_by_workers(staff_client, automation, learners,
                                                                          monkeypatch):
    from lms_automations.admin import automation_views, staff_actions  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(staff_actions, "PREVIEW_PAGE", 2)
    monkeypatch.setattr(automation_views, "PREVIEW_ROWS", 1)
    more = [services.create_learner(name, f"{name}@example.com") for name in ("bea", "cal", "dot", "eli")]
    for learner in more:
        services.enroll(learner, MINE_COURSE)
    api.start_learners(automation, [learners[1]])  # grace: already in
    more[2].is_active = False
    more[2].save()
    url = automation_url(automation, "start-learners/")
    preview = staff_client.post(url, {"everyone": "on", "learners": "", "preview": "Preview"})
    selection = preview.context["selection"]
    assert (selection.starting_count, selection.skipped_count) == (5, 2), "seven enrolled, over four pages"
    assert [who for who, _user in selection.starting] == ["ada"] and selection.skipped == [
        ("grace", "already in this automation")]
    page = preview.content.decode()
    assert "5 learners will" in page and "2 skipped" in page and "… and 4 more." in page
    done = staff_client.post(url, {"everyone": "on", "learners": "", "confirm": "Start 5 learners"})
    assert "being started by background workers" in messages_of(done)[0]
    started = Run.objects.filter(automation=automation).exclude(user=learners[1])
    assert sorted(started.values_list("user__username", flat=True)) == ["ada", "alan", "bea", "cal", "eli"]
    for run in started:
        timeline = [entry["message"] for entry in api.explain(run)]
        assert timeline[:2] == ["learner started by teacher (Django admin)", "started by staff"]
