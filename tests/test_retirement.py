"""A retired learner's data is gone — every row of every plugin model that names them — and nobody
else's is touched."""
import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from lms_automations import api
from lms_automations.models import (
    Automation,
    CustomEventType,
    EntryRefusal,
    Event,
    ExitCondition,
    LearnerCourseState,
    LearnerDispatchLock,
    LearnerEntry,
    LearnerField,
    LearnerList,
    LearnerTag,
    ListMembership,
    MarketingConsent,
    PointsEntry,
    RetiredLearner,
    Run,
    RunLog,
    RunWake,
    Step,
    TestLearner,
    Trigger,
)
from lms_automations.retirement import KEPT_REFERENCES, USER_REFERENCES, _history_rules, on_user_retired, retire_learner
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


def user_references():
    """(model, field name) of every field of the plugin's models, history models included, that can
    name a user: a foreign key to the user model, or a column called user_id, *_user_id or redirect_to…
    Found through the app registry, so a model added later is in this list without anyone adding it."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_app_config("lms_automations").get_models(include_auto_created=True):
        if model._meta.proxy:
            continue  # the rows are its concrete model's (admin's Learner is LearnerEntry)
        for field in model._meta.concrete_fields:
            column = field.column
            if ((field.is_relation and field.related_model is user_model) or column == "user_id"
                    or column.endswith("_user_id") or column.startswith("redirect_to")):
                found.add((model, field.name))
    return found


def names(user, model, field):
    return model._base_manager.filter(**{model._meta.get_field(field).attname: user.pk}).exists()


def refer_to(user, list_, bystander):
    """Make ``user`` appear in every place a plugin row can name a user: as a learner (events, runs,
    entries, learner data, course state, the dispatch lock), as a test learner and the recipient of
    ``bystander``'s test messages, as an automation's owner and as the author of history rows of every
    tracked model. A reference to staff sits in someone else's row, so deleting the learner's own rows
    cannot hide a reference left behind."""
    now = timezone.now()
    automation = Automation(name=f"owned by {user.username}", owner=user)
    automation._history_user = user
    automation.save()
    for child in (Trigger(automation=automation, event_type="enrollment.created"),
                  Step(automation=automation, step_id="s", step_type="action", kind="tag.add"),
                  ExitCondition(automation=automation, event_type="certificate.created"),
                  CustomEventType(slug=f"by_{user.username}", label="x")):
        child._history_user = user
        child.save()
    TestLearner.objects.create(automation=automation, user=user)
    TestLearner.objects.create(automation=automation, user=bystander, redirect_to=user)
    event = Event.objects.create(event_type="custom.x", user=user, payload={"email": user.email}, source="api",
                                 idempotency_key=f"k-{user.pk}", occurred_at=now)
    run = Run.objects.create(automation=automation, user=user, event=event, started_at=now)
    LearnerEntry.objects.create(automation=automation, user=user, active_run=run)
    EntryRefusal.objects.create(automation=automation, user=user, at=now, reason=EntryRefusal.REASON.once)
    LearnerTag.objects.create(user=user, tag="vip")
    ListMembership.objects.create(learner_list=list_, user=user)
    LearnerField.objects.create(user=user, name="city", value="Paris")
    PointsEntry.objects.create(user=user, amount=5)
    MarketingConsent.objects.create(user=user, subscribed=False)
    LearnerCourseState.objects.create(user=user, course_key=COURSE)
    LearnerDispatchLock.objects.create(user_id=user.pk)
    return automation


def test_retirement_knows_every_user_reference_of_the_plugins_models():
    handled = {(model, field) for _label, model, field, _action in (*USER_REFERENCES, *_history_rules())}
    declared = handled | set(KEPT_REFERENCES)
    missing = sorted(f"{model._meta.label}.{field}" for model, field in user_references() - declared)
    assert not missing, f"retirement does not handle these user references (add them to USER_REFERENCES): {missing}"
    # And nothing is declared that is not there (a renamed field would silently keep its data).
    assert declared <= user_references()


def test_after_retirement_no_row_of_any_plugin_model_names_the_learner(django_user_model):
    ada, grace, bob = (django_user_model.objects.create_user(n, f"{n}@example.com") for n in ("ada", "grace", "bob"))
    newsletter = LearnerList.objects.create(slug="news", name="News")
    ada_automation, grace_automation = refer_to(ada, newsletter, bob), refer_to(grace, newsletter, bob)
    references = sorted(user_references() - set(KEPT_REFERENCES), key=lambda ref: (ref[0]._meta.label, ref[1]))
    unnamed = [f"{model._meta.label}.{field}" for model, field in references
               if not (names(ada, model, field) and names(grace, model, field))]
    assert not unnamed, f"refer_to() must name both learners here too, or this test proves nothing: {unnamed}"

    retire_learner(ada.pk)

    left = [f"{model._meta.label}.{field}" for model, field in references if names(ada, model, field)]
    assert not left, f"rows still naming the retired learner: {left}"
    kept = [f"{model._meta.label}.{field}" for model, field in references if not names(grace, model, field)]
    assert not kept, f"another learner's rows were touched: {kept}"
    assert RetiredLearner.objects.filter(user_id=ada.pk).exists()
    # The definitions stay; only the reference to the retired staff member goes.
    ada_automation.refresh_from_db()
    assert ada_automation.owner_id is None and ada_automation.history.count() == 1
    assert not Run.objects.filter(automation=ada_automation).exists()
    # Bob's test messages go to the owner now, as when no recipient is chosen (the owner was Ada too).
    assert TestLearner.objects.get(automation=ada_automation, user=bob).redirect_to_id is None
    assert Run.objects.filter(automation=grace_automation, user=grace).exists()


def test_retirement_removes_the_learners_data_only(django_capture_on_commit_callbacks):
    api.import_automation({
        "format": "lms-automations/v1", "name": "tag and wait", "status": "active",
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["new"]}},
                  {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
                  {"id": "mail", "type": "action", "action": "email.send",
                   "params": {"subject": "Hi", "body_html": "<p>x</p>", "category": "transactional"}}],
    })
    services.create_course(COURSE)
    ada, grace = (services.create_learner(n, f"{n}@example.com") for n in ("ada", "grace"))
    for learner in (ada, grace):
        with django_capture_on_commit_callbacks(execute=True):
            services.enroll(learner, COURSE)
    PointsEntry.objects.create(user=ada, amount=5)

    removed = retire_learner(ada.pk)

    assert removed["runs"] == 1 and removed["events"] >= 2 and removed["tags"] == 1 and removed["points"] == 1
    for model in (Event, Run, LearnerTag, PointsEntry):
        assert not model.objects.filter(user=ada).exists(), model
    assert not RunLog.objects.filter(run__user=ada).exists()
    assert Run.objects.filter(user=grace).exists() and LearnerTag.objects.filter(user=grace).exists()
    # The retired learner's pending wait is gone with the run: nothing is sent later.
    api.process_due(now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2))
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    assert RunWake.objects.count() == 0


def test_the_lms_retirement_signal_retires_the_learner_and_a_retried_step_is_harmless(django_user_model):
    ada = django_user_model.objects.create_user("ada", "ada@example.com")
    LearnerTag.objects.create(user=ada, tag="vip")

    on_user_retired(sender=None, user=ada)
    on_user_retired(sender=None, user=ada)  # the pipeline retries a step it did not see complete

    assert not LearnerTag.objects.filter(user=ada).exists()
    assert list(RetiredLearner.objects.values_list("user_id", flat=True)) == [ada.pk]
