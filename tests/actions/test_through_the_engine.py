"""Actions run by the engine: a webhook retried with the same Idempotency-Key, a due-date extension
retried without adding its days twice, the run outcomes errors lead to, and a marketing e-mail to an
unsubscribed learner failing silently."""
import datetime
import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.db import connection

from lms_automations import api
from lms_automations.actions.webhook import SIGNATURE_HEADER
from lms_automations.engine.errors import TransientError
from lms_automations.models import ActionExecution, MarketingConsent, Run, RunLog
from sandbox.lms import dates, services
from sandbox.lms.host_backend import SandboxHost

from .conftest import COURSE
from .endpoints import Endpoint

pytestmark = pytest.mark.django_db
SECRET = "engine-test-secret-0123456789"


@pytest.fixture
def lms(django_capture_on_commit_callbacks):
    def _do(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return _do


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    def _tick():
        with django_capture_on_commit_callbacks(execute=True):
            return api.process_due()

    return _tick


@pytest.fixture
def loopback_allowed(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1/32"]}


def automation_with(*steps):
    automation = api.import_automation({
        "format": "lms-automations/v1", "name": "On enrolment", "description": "",
        "scope": {"courses": [COURSE], "orgs": []}, "status": "draft", "execution": "async",
        "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": list(steps), "exit_conditions": [],
    })
    api.activate(automation)
    return automation


def webhook_step(url):
    return {"id": "hook", "type": "action", "action": "webhook.send",
            "params": {"url": url, "secret": SECRET,
                       "body": '{"user": "{{ learner.username }}", "course": "{{ event.course_key }}"}'}}


def test_a_failing_webhook_is_retried_with_the_same_idempotency_key(ada, course, lms, tick, clock,
                                                                    loopback_allowed):
    with Endpoint() as endpoint:
        endpoint.status, endpoint.headers = 503, {"Retry-After": "120"}
        automation_with(webhook_step(f"{endpoint.url}/learners"))
        lms(services.enroll, ada, COURSE)
        run = Run.objects.get()
        assert run.status == Run.STATUS.pending
        assert RunLog.objects.filter(run=run, kind=RunLog.KIND.retry, message__contains="retrying in 120 s").exists()

        endpoint.status, endpoint.headers = 200, {}
        clock.shift(datetime.timedelta(seconds=119))
        assert tick() == 0
        clock.shift(datetime.timedelta(seconds=2))
        tick()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    first, second = endpoint.requests
    key = ActionExecution.objects.get(run=run).idempotency_key
    assert key == f"{run.pk}:hook:{run.visit - 1}"
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == key
    assert json.loads(second.body) == {"user": "ada", "course": COURSE}
    expected = "sha256=" + hmac.new(SECRET.encode(), second.body, hashlib.sha256).hexdigest()
    assert second.headers[SIGNATURE_HEADER] == expected


def test_a_4xx_fails_the_run_once_with_the_reason(ada, course, lms, loopback_allowed):
    with Endpoint() as endpoint:
        endpoint.status, endpoint.body = 404, b"unknown hook"
        automation_with(webhook_step(endpoint.url))
        lms(services.enroll, ada, COURSE)
    run = Run.objects.get()
    assert run.status == Run.STATUS.failed
    assert run.error == "127.0.0.1 answered 404: unknown hook"
    assert len(endpoint.requests) == 1


def test_a_refused_address_fails_the_run_and_says_which_setting_allows_it(ada, course, lms):
    automation_with(webhook_step("http://169.254.169.254/latest/meta-data"))
    lms(services.enroll, ada, COURSE)
    run = Run.objects.get()
    assert run.status == Run.STATUS.failed
    assert "WEBHOOK_ALLOWED_HOSTS" in run.error


def test_marketing_email_to_an_unsubscribed_learner_fails_the_run_silently(ada, course, lms):
    MarketingConsent.objects.create(user=ada, subscribed=False)
    automation_with({"id": "mail", "type": "action", "action": "email.send",
                     "params": {"subject": "Hi {{ learner.first_name }}", "body_html": "<p>Offer</p>"}},
                    {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["offered"]}})
    lms(services.enroll, ada, COURSE)
    run = Run.objects.get()
    assert run.status == Run.STATUS.failed_silently
    assert "unsubscribed" in run.error
    assert mail.outbox == []


def test_an_e_mail_step_renders_its_templates_and_runs_once(ada, course, lms):
    automation_with({"id": "mail", "type": "action", "action": "email.send",
                     "params": {"subject": "Hi {{ learner.first_name }}", "category": "transactional",
                                "body_html": "<p>{{ learner.first_name }}, welcome to {{ event.course_key }}</p>"}})
    lms(services.enroll, ada, COURSE)
    (message,) = mail.outbox
    assert message.subject == "Hi Ada"
    assert f"Ada, welcome to {COURSE}" in message.body
    assert Run.objects.get().status == Run.STATUS.fulfilled


def test_learner_values_in_a_json_body_are_escaped_and_cannot_add_fields(db, course, lms, loopback_allowed):
    """A first name with quotes, a backslash and a line break stays one JSON string value."""
    mallory = services.create_learner("mallory", "mallory@example.com",
                                      first_name='M", "admin": true, "x": "\\\n')
    with Endpoint() as endpoint:
        automation_with({"id": "hook", "type": "action", "action": "webhook.send",
                         "params": {"url": endpoint.url, "secret": SECRET,
                                    "body": '{"name": "{{ learner.first_name }}", "course": "{{ event.course_key }}",'
                                            ' "run": {{ run.id }}}'}})
        lms(services.enroll, mallory, COURSE)
    run = Run.objects.get()
    assert run.status == Run.STATUS.fulfilled
    (request,) = endpoint.requests
    assert json.loads(request.body) == {"name": 'M", "admin": true, "x": "\\\n', "course": COURSE, "run": run.pk}


def test_an_e_mail_whose_template_runs_past_a_limit_fails_the_run_once_and_names_the_param(ada, course, lms):
    doubling = "{% with a='xxxxxxxxxx' %}" + "{% with a=a|add:a %}" * 40 + "{{ a }}" + "{% endwith %}" * 41
    automation_with({"id": "mail", "type": "action", "action": "email.send",
                     "params": {"subject": "Hi", "category": "transactional", "body_html": doubling}})
    lms(services.enroll, ada, COURSE)
    run = Run.objects.get()
    assert run.status == Run.STATUS.failed
    assert run.error == ("steps.mail.params.body_html: the rendered text would be longer than 1,048,576 bytes "
                         "(LMS_AUTOMATIONS['EMAIL_BODY_MAX_BYTES']); shorten the template or what it repeats")
    assert not RunLog.objects.filter(run=run, kind=RunLog.KIND.retry).exists()
    assert mail.outbox == []


def test_a_webhook_signs_with_the_secret_stored_encrypted_and_no_row_holds_it(ada, course, lms, loopback_allowed):
    with Endpoint() as endpoint:
        automation_with(webhook_step(endpoint.url))
        with connection.cursor() as cursor:
            cursor.execute("SELECT params FROM lms_automations_step")
            (stored,) = cursor.fetchone()
        assert SECRET not in str(stored) and "enc:v1:" in str(stored)
        lms(services.enroll, ada, COURSE)
    (request,) = endpoint.requests
    assert request.headers[SIGNATURE_HEADER] == "sha256=" + hmac.new(SECRET.encode(), request.body,
                                                                     hashlib.sha256).hexdigest()
    assert Run.objects.get().status == Run.STATUS.fulfilled
    for model in (RunLog, ActionExecution):
        assert SECRET not in json.dumps(list(model.objects.values()), default=str)


def test_the_timeline_masks_the_secret_and_credential_headers_and_shows_the_other_params(ada, course, lms,
                                                                                        loopback_allowed):
    token = "Bearer timeline-token-0123456789"
    with Endpoint() as endpoint:
        automation_with({"id": "hook", "type": "action", "action": "webhook.send",
                         "params": {"url": endpoint.url, "secret": SECRET,
                                    "headers": {"Authorization": token, "X-Course": "{{ event.course_key }}"}}})
        lms(services.enroll, ada, COURSE)
    (request,) = endpoint.requests
    assert request.headers["Authorization"] == token
    (entry,) = RunLog.objects.filter(kind=RunLog.KIND.action)
    shown = entry.detail["params"]
    assert shown["url"] == endpoint.url and shown["secret"] == "********"
    assert shown["headers"] == {"Authorization": "********", "X-Course": COURSE}
    assert token not in json.dumps(list(RunLog.objects.values()), default=str)


def test_the_timeline_masks_the_secret_params_a_third_party_action_declares(ada, course, lms, monkeypatch):
    from lms_automations.actions.learner_data import TagAdd

    class TaggingWithAToken(TagAdd):
        """An action of another package whose credential is not called ``secret``."""

        key = "tag.add"
        secret_params = ("api_token",)
        params_schema = {**TagAdd.params_schema,
                         "properties": {**TagAdd.params_schema["properties"], "api_token": {"type": "string"}}}

        def execute(self, params, context):
            return super().execute({"tags": params["tags"]}, context)

        execute_many = None

    from lms_automations import catalogue

    monkeypatch.setitem(catalogue.get_actions(), "tag.add", TaggingWithAToken)
    automation_with({"id": "tag", "type": "action", "action": "tag.add",
                     "params": {"tags": ["vip"], "api_token": "tok-0123456789"}})
    lms(services.enroll, ada, COURSE)
    (entry,) = RunLog.objects.filter(kind=RunLog.KIND.action)
    assert entry.detail["params"] == {"tags": ["vip"], "api_token": "********"}


def test_a_due_date_extension_retried_after_the_lms_call_moves_the_dates_once(ada, course, lms, tick, clock,
                                                                              monkeypatch):
    blocks = [f"block-v1:Demo+A1+2026+type@{kind}" for kind in ("html+block@intro", "problem+block@quiz-1")]
    due = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    for block in blocks:
        dates.set_due_date(COURSE, block, due)
    failures = [TransientError("the LMS timed out")]
    real_expiry = SandboxHost.access_expires_at

    def expiry_failing_once(self, user_id, course_key):
        if failures:  # the dates have moved by now: the LMS's answer is what was lost
            raise failures.pop()
        return real_expiry(self, user_id, course_key)

    monkeypatch.setattr(SandboxHost, "access_expires_at", expiry_failing_once)
    automation_with({"id": "extend", "type": "action", "action": "dates.extend",
                     "params": {"course_key": COURSE, "days": 7}})
    lms(services.enroll, ada, COURSE, "verified")
    run = Run.objects.get()
    assert run.status == Run.STATUS.pending and dates.due_dates(ada, COURSE) == dict.fromkeys(
        blocks, due + datetime.timedelta(days=7))
    clock.shift(datetime.timedelta(hours=1))
    tick()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    assert dates.due_dates(ada, COURSE) == dict.fromkeys(blocks, due + datetime.timedelta(days=7))
    execution = ActionExecution.objects.get(run=run)
    assert (execution.attempts, execution.result) == (2, {"days": 7, "blocks": 2})
