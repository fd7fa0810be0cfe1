"""webhook.send against real servers on 127.0.0.1: signed, idempotent, classified, time-bounded, pinned."""
import hashlib
import hmac
import itertools
import json
import socket
import ssl
from unittest import mock

import pytest

from lms_automations.actions import webhook
from lms_automations.actions.webhook import SIGNATURE_HEADER, WebhookSend
from lms_automations.engine.errors import PermanentError, RenderLimitError, TransientError
from sandbox.lms import services

from .conftest import context_for
from .endpoints import Endpoint, make_certificates

pytestmark = pytest.mark.django_db
SECRET = "a-shared-secret-of-some-length"


@pytest.fixture
def allow_private(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


@pytest.fixture
def endpoint():
    with Endpoint() as server:
        yield server


@pytest.fixture
def context(ada):
    return context_for(ada, "41:notify:3")


def send(context, **params):
    return WebhookSend().execute(params, context)


@pytest.fixture
def resolve_to_loopback(monkeypatch):
    """Names under example.test resolve to 127.0.0.1 (the test's DNS); every lookup is counted."""
    lookups = []
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        lookups.append(host)
        if str(host).endswith("example.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return lookups


def test_sends_the_body_signed_with_the_idempotency_key(endpoint, allow_private, context):
    result = send(context, url=f"{endpoint.url}/hooks/learner?source=lms", body='{"user": "ada"}', secret=SECRET,
                  headers={"Authorization": "Bearer t0ken", "X-Extra": "yes"}, method="PUT")
    assert result == {"status": 200}
    (request,) = endpoint.requests
    assert (request.method, request.path, request.body) == ("PUT", "/hooks/learner?source=lms", b'{"user": "ada"}')
    assert request.headers["Idempotency-Key"] == "41:notify:3"
    assert request.headers["Authorization"] == "Bearer t0ken" and request.headers["X-Extra"] == "yes"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Host"] == f"127.0.0.1:{endpoint.port}"
    assert request.headers["User-Agent"].startswith("lms-automations/")
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers[SIGNATURE_HEADER], expected)


def test_a_get_has_no_body_and_a_given_content_type_wins(endpoint, allow_private, context):
    send(context, url=endpoint.url, method="GET")
    send(context, url=endpoint.url, body="a=1", headers={"content-type": "application/x-www-form-urlencoded"})
    plain, form = endpoint.requests
    assert (plain.method, plain.body, plain.headers["Content-Type"], plain.headers[SIGNATURE_HEADER]) == (
        "GET", b"", None, None)
    assert form.headers.get_all("Content-Type") == ["application/x-www-form-urlencoded"]


@pytest.mark.parametrize(("status", "headers", "retry_after"), [
    (500, {}, None), (502, {}, None), (503, {"Retry-After": "120"}, 120), (408, {}, None),
    (429, {"Retry-After": "Mon, 04 May 2026 09:35:00 GMT"}, 300),  # an HTTP date, 5 minutes after the clock
    (429, {"Retry-After": "soon"}, None),
])
def test_5xx_429_and_408_are_transient_and_honour_retry_after(endpoint, allow_private, context, status, headers,
                                                               retry_after):
    endpoint.status, endpoint.headers = status, headers
    with pytest.raises(TransientError, match=f"answered {status}") as caught:
        send(context, url=endpoint.url)
    assert caught.value.retry_after == retry_after


def test_retry_after_is_capped_like_the_engines_backoff(endpoint, allow_private, context, settings):
    endpoint.status, endpoint.headers = 503, {"Retry-After": str(30 * 24 * 3600)}
    with pytest.raises(TransientError) as caught:
        send(context, url=endpoint.url)
    assert caught.value.retry_after == settings.LMS_AUTOMATIONS["RETRY_MAX_DELAY_SECONDS"]


def test_other_4xx_are_permanent_with_the_status_and_an_excerpt(endpoint, allow_private, context):
    endpoint.status, endpoint.body = 404, b"no such\r\n\x1b[31mhook" + b"x" * 1000
    with pytest.raises(PermanentError) as caught:
        send(context, url=endpoint.url)
    assert caught.value.message.startswith("127.0.0.1 answered 404: no such [31mhookxxx")
    assert len(caught.value.message) < 260


def test_redirects_are_not_followed(endpoint, allow_private, context):
    endpoint.status, endpoint.headers = 302, {"Location": "http://169.254.169.254/latest/meta-data"}
    with pytest.raises(PermanentError, match="do not follow redirects"):
        send(context, url=endpoint.url)
    assert len(endpoint.requests) == 1


@pytest.fixture
def fast_clock(monkeypatch):
    """The webhook's deadline clock races ahead, so real socket timeouts become a few milliseconds."""
    ticks = itertools.chain([0.0, 0.9], itertools.count(0.95, 0.02))
    monkeypatch.setattr(webhook, "monotonic", lambda: next(ticks))


def test_a_server_that_does_not_answer_is_a_transient_timeout(allow_private, context, fast_clock):
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)  # the kernel accepts the connection; nobody ever answers
    try:
        with pytest.raises(TransientError, match="did not answer within 1 s"):
            send(context, url=f"http://127.0.0.1:{quiet.getsockname()[1]}/", timeout=1)
    finally:
        quiet.close()


def test_the_timeout_bounds_the_whole_answer_not_each_read(endpoint, allow_private, context, monkeypatch):
    """A long answer read in many pieces: each read is quick, but together they pass the deadline."""
    endpoint.headers = {f"X-Padding-{index}": "p" * 1000 for index in range(60)}
    ticks = itertools.count(0.0, 1.0)  # one second passes per read
    monkeypatch.setattr(webhook, "monotonic", lambda: next(ticks))
    with pytest.raises(TransientError, match="did not answer within 5 s"):
        send(context, url=endpoint.url, timeout=5)


def test_a_refused_connection_is_transient(allow_private, context):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(TransientError, match="could not be reached"):
        send(context, url=f"http://127.0.0.1:{port}/")


def test_a_rendered_header_value_with_a_line_break_is_not_sent(endpoint, allow_private, context):
    with pytest.raises(PermanentError, match="cannot be sent") as caught:
        send(context, url=endpoint.url, headers={"X-Learner": "s3cret\r\nX-Injected: 1"})
    assert "s3cret" not in caught.value.message  # a header value may be a credential
    assert endpoint.requests == []


def test_headers_the_action_sets_cannot_be_replaced(endpoint, allow_private, context):
    with pytest.raises(PermanentError, match="Idempotency-Key is set by the webhook action"):
        send(context, url=endpoint.url, headers={"Idempotency-Key": "mine"})
    assert endpoint.requests == []


NOT_PUBLIC = [
    "http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest/meta-data",
    "http://localhost:8000/", "http://[::ffff:10.1.2.3]/", "http://0.0.0.0/", "http://192.168.1.1/",
    "http://172.16.5.4/", "http://100.64.0.1/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[ff02::1]/",
    "http://[64:ff9b::a00:1]/", "http://[2002:a00:1::1]/", "http://2130706433/", "http://0x7f.1/",
    "https://127.0.0.1:8443/", "http://224.0.0.1/", "http://240.0.0.1/",
]


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_private_and_internal_addresses_are_refused_without_a_connection(url, context):
    with mock.patch.object(socket.socket, "connect") as connect, \
            mock.patch("socket.create_connection") as create_connection, pytest.raises(PermanentError) as caught:
        send(context, url=url)
    connect.assert_not_called()
    create_connection.assert_not_called()
    assert "are refused" in caught.value.message
    assert "WEBHOOK_ALLOWED_HOSTS" in caught.value.message


def test_a_name_with_one_private_address_among_public_ones_is_refused(context, monkeypatch):
    answer = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
              (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)
    with mock.patch.object(socket.socket, "connect") as connect, pytest.raises(PermanentError, match="10.0.0.7"):
        send(context, url="http://mixed.example/")
    connect.assert_not_called()


def test_an_allowed_host_may_be_private_and_is_called_by_name(endpoint, context, settings, resolve_to_loopback):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": [".example.test"]}
    assert send(context, url=f"http://crm.example.test:{endpoint.port}/in") == {"status": 200}
    assert endpoint.requests[0].headers["Host"] == f"crm.example.test:{endpoint.port}"


def test_an_allowed_network(endpoint, context, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.0/8"]}
    assert send(context, url=endpoint.url) == {"status": 200}


def test_the_checked_address_is_the_one_connected_to(endpoint, context, settings, resolve_to_loopback, monkeypatch):
    """DNS rebinding: the name is resolved once; a later, different answer is never used."""
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": ["hooks.example.test"]}
    original = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        answer = original(host, port, *args, **kwargs)
        monkeypatch.setattr(socket, "getaddrinfo", mock.Mock(side_effect=AssertionError("resolved twice")))
        return answer

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert send(context, url=f"http://hooks.example.test:{endpoint.port}/") == {"status": 200}
    assert resolve_to_loopback == ["hooks.example.test"]


@pytest.mark.parametrize("denied", [["evil.example.test"], [".example.test"], ["127.0.0.0/8"]])
def test_denied_hosts_are_refused_even_when_private_addresses_are_allowed(endpoint, context, settings,
                                                                          resolve_to_loopback, denied):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True,
                                "WEBHOOK_DENIED_HOSTS": denied}
    with pytest.raises(PermanentError, match=r"refused by LMS_AUTOMATIONS\['WEBHOOK_DENIED_HOSTS'\]"):
        send(context, url=f"http://evil.example.test:{endpoint.port}/")
    assert endpoint.requests == []


@pytest.mark.parametrize(("url", "message"), [
    ("file:///etc/passwd", "not an http or https URL"),
    ("gopher://127.0.0.1/", "not an http or https URL"),
    ("http://user:pass@hooks.example.com/", "credentials"),
    ("http://hooks.example.com:99999/", "invalid port"),
    ("http:///path-only", "has no host"),
    ("http://hooks.example.com/a b", "spaces or control characters"),
])
def test_urls_that_are_not_plain_http_are_refused(url, message, context):
    with mock.patch.object(socket.socket, "connect") as connect, pytest.raises(PermanentError, match=message):
        send(context, url=url)
    connect.assert_not_called()


@pytest.fixture
def tls_endpoint(tmp_path):
    files = make_certificates(tmp_path, "secure.example.test")
    with Endpoint(tls_files=files) as server:
        server.ca = files.ca
        yield server


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(tls_endpoint, context, settings,
                                                                            resolve_to_loopback, monkeypatch):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": ["secure.example.test"]}
    monkeypatch.setattr(webhook, "tls_context", lambda: ssl.create_default_context(cafile=str(tls_endpoint.ca)))
    assert send(context, url=f"https://secure.example.test:{tls_endpoint.port}/in", body="{}") == {"status": 200}
    assert tls_endpoint.server_names == ["secure.example.test"]
    assert tls_endpoint.requests[0].headers["Host"] == f"secure.example.test:{tls_endpoint.port}"


def test_an_untrusted_certificate_is_a_permanent_error(tls_endpoint, context, settings, resolve_to_loopback):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": ["secure.example.test"]}
    with pytest.raises(PermanentError, match="TLS certificate of secure.example.test is not valid"):
        send(context, url=f"https://secure.example.test:{tls_endpoint.port}/in")
    assert tls_endpoint.requests == []


@pytest.mark.parametrize(("params", "path"), [
    ({}, "params.url"),
    ({"url": "ftp://example.com/"}, "params.url"),
    ({"url": "https://{{ event.host }}/hook"}, "params.url"),
    ({"url": "https://hooks.example.com/", "method": "HEAD"}, "params.method"),
    ({"url": "https://hooks.example.com/", "timeout": 0}, "params.timeout"),
    ({"url": "https://hooks.example.com/", "timeout": 31}, "params.timeout"),
    ({"url": "https://hooks.example.com/", "secret": "short"}, "params.secret"),
    ({"url": "https://hooks.example.com/", "body": {"a": 1}}, "params.body"),
    ({"url": "https://hooks.example.com/", "headers": {"Bad Name": "x"}}, "params.headers"),
    ({"url": "https://hooks.example.com/", "headers": {"X-A": "a\nb"}}, "params.headers.X-A"),
    ({"url": "https://hooks.example.com/", "headers": {"host": "internal"}}, "params.headers.host"),
    ({"url": "https://hooks.example.com/", "verify": False}, "params"),
])
def test_params_are_checked_where_staff_type_them(params, path):
    assert path in [error["path"] for error in WebhookSend.check_params(params)]


def test_a_template_after_the_host_is_fine():
    assert WebhookSend.check_params({"url": "https://crm.example.com/learners/{{ learner.id }}?c={{ event.x }}",
                                     "body": '{"id": {{ learner.id }}}', "secret": SECRET, "timeout": 2.5}) == []


# --- the body: a template, with values escaped for JSON ---------------------------------------------

QUOTED_NAME = 'Ada "The Countess", \\ of Lovelace\n'


@pytest.fixture
def quoted(db):
    return services.create_learner("quoted", "q@example.com", first_name=QUOTED_NAME)


def test_template_values_in_json_strings_are_escaped(endpoint, allow_private, quoted):
    body = '{"learner": {"name": "Dear {{ learner.first_name }}!", "tags": ["{{ learner.username }}", 3]}, "ok": true}'
    send(context_for(quoted, "1:hook:1"), url=endpoint.url, body=body, secret=SECRET)
    (request,) = endpoint.requests
    assert json.loads(request.body) == {"learner": {"name": f"Dear {QUOTED_NAME}!", "tags": ["quoted", 3]},
                                        "ok": True}
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER] == expected


def test_a_value_cannot_inject_fields(endpoint, allow_private, db):
    mallory = services.create_learner("mallory", first_name='x", "role": "admin')
    send(context_for(mallory, "1:hook:1"), url=endpoint.url, body='{"name": "{{ learner.first_name }}"}')
    assert json.loads(endpoint.requests[0].body) == {"name": 'x", "role": "admin'}


def test_templates_outside_strings_still_escape_string_values(endpoint, allow_private, quoted):
    body = '{"id": {{ learner.id }}, "name": "{{ learner.first_name }}", "{{ learner.username }}": 1}'
    send(context_for(quoted, "1:hook:1"), url=endpoint.url, body=body)
    assert json.loads(endpoint.requests[0].body) == {"id": quoted.pk, "name": QUOTED_NAME, "quoted": 1}


def test_a_body_without_templates_is_sent_byte_for_byte(endpoint, allow_private, context):
    send(context, url=endpoint.url, body='{ "a":1,\n  "b" : "x" }')
    assert endpoint.requests[0].body == b'{ "a":1,\n  "b" : "x" }'


def test_a_body_that_is_not_json_is_rendered_as_text(endpoint, allow_private, quoted):
    send(context_for(quoted, "1:hook:1"), url=endpoint.url, body="name={{ learner.username }}&x=1",
         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert endpoint.requests[0].body == b"name=quoted&x=1"


def test_a_broken_body_template_fails_the_step_naming_the_param(endpoint, allow_private, context):
    with pytest.raises(PermanentError, match=r"params\.body"):
        send(context, url=endpoint.url, body='{"a": "{{ learner.first_name|nosuchfilter }}"}')
    assert endpoint.requests == []


def test_a_body_rendered_past_the_webhook_limit_is_not_sent(endpoint, allow_private, context, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_BODY_MAX_BYTES": 2000}
    loop = "{% for i in '" + "x" * 30 + "' %}" + "y" * 100 + "{% endfor %}"  # 3,000 characters
    with pytest.raises(RenderLimitError) as as_text:
        send(context, url=endpoint.url, body=loop, headers={"Content-Type": "text/plain"})
    assert as_text.value.message == ("params.body: the rendered text would be longer than 2,000 bytes "
                                     "(LMS_AUTOMATIONS['WEBHOOK_BODY_MAX_BYTES']); shorten the template or what it "
                                     "repeats")
    # a JSON body is rendered string by string: each string fits, the whole body does not
    body = json.dumps({f"k{index}": "{{ learner.username }}" + "z" * 400 for index in range(6)})
    with pytest.raises(RenderLimitError, match=r"^params\.body: the rendered body is 2,\d{3} bytes; at most 2,000 "):
        send(context, url=endpoint.url, body=body)
    assert endpoint.requests == []
