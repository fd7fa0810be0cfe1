"""webhook.send: signed, idempotent, classified — and never to a private address unless allowed."""
import hashlib
import hmac
import http.server
import socket
import threading
from types import SimpleNamespace
from unittest import mock

import pytest

from lms_automations.actions.webhook import SIGNATURE_HEADER, WebhookSend
from lms_automations.engine.errors import PermanentError, TransientError


class Recorder(http.server.BaseHTTPRequestHandler):
    status = 200
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Recorder.seen.append((dict(self.headers), body))
        self.send_response(Recorder.status)
        if Recorder.status == 429:
            self.send_header("Retry-After", "120")
        self.end_headers()
        self.wfile.write(b"not here")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.seen, Recorder.status = [], 200
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/hook?x=1"
    httpd.shutdown()


@pytest.fixture
def allow_private(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


CONTEXT = SimpleNamespace(idempotency_key="41:notify:3")


def test_sends_signed_body_with_the_idempotency_key(server, allow_private):
    result = WebhookSend().execute({"url": server, "body": '{"a": 1}', "secret": "s3cret-key",
                                    "headers": {"X-Extra": "yes"}}, CONTEXT)
    assert result == {"status": 200}
    ((headers, body),) = Recorder.seen
    assert body == b'{"a": 1}'
    assert headers["Idempotency-Key"] == "41:notify:3"
    assert headers["X-Extra"] == "yes"
    expected = "sha256=" + hmac.new(b"s3cret-key", body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == expected


@pytest.mark.parametrize(("status", "error", "retry_after"), [(500, TransientError, None),
                                                              (429, TransientError, 120),
                                                              (404, PermanentError, None)])
def test_responses_are_classified(server, allow_private, status, error, retry_after):
    Recorder.status = status
    with pytest.raises(error) as caught:
        WebhookSend().execute({"url": server}, CONTEXT)
    assert str(status) in caught.value.message
    if retry_after:
        assert caught.value.retry_after == retry_after


def test_a_server_that_does_not_answer_is_transient(allow_private):
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(TransientError, match="did not answer"):
            WebhookSend().execute({"url": f"http://127.0.0.1:{quiet.getsockname()[1]}/", "timeout": 1}, CONTEXT)
    finally:
        quiet.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/",
                                 "http://169.254.169.254/latest", "http://localhost:8000/", "http://[::ffff:10.1.2.3]/",
                                 "http://0.0.0.0/", "http://192.168.1.1/"])
def test_private_addresses_are_refused_without_connecting(url):
    with mock.patch("socket.create_connection") as connect, pytest.raises(PermanentError) as caught:
        WebhookSend().execute({"url": url}, CONTEXT)
    connect.assert_not_called()
    assert "WEBHOOK_ALLOWED_HOSTS" in caught.value.message


def test_allowed_and_denied_hosts(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "WEBHOOK_ALLOWED_HOSTS": ["localhost"],
                                "WEBHOOK_DENIED_HOSTS": ["evil.example"]}
    with pytest.raises(PermanentError, match="WEBHOOK_DENIED_HOSTS"):
        WebhookSend().execute({"url": "https://evil.example/x"}, CONTEXT)
    with mock.patch("socket.create_connection", side_effect=ConnectionRefusedError("refused")) as connect, \
            pytest.raises(TransientError):
        WebhookSend().execute({"url": "http://localhost:9/"}, CONTEXT)
    assert connect.call_args.args[0][0] in ("127.0.0.1", "::1")


def test_only_http_urls():
    with pytest.raises(PermanentError, match="not an http"):
        WebhookSend().execute({"url": "file:///etc/passwd"}, CONTEXT)
