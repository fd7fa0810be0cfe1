"""``webhook.send``: call another system with a signed, idempotent request."""
import hashlib
import hmac
import http.client
import socket
import ssl
from urllib.parse import urlsplit

from ..catalogue import Action
from ..engine.errors import PermanentError, TransientError
from .base import params
from .webhook_safety import resolve_target

SIGNATURE_HEADER = "X-LMS-Automations-Signature"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, hostname, port, address, timeout):
        super().__init__(hostname, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, hostname, port, address, timeout):
        super().__init__(hostname, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSend(Action):
    key = "webhook.send"
    label = "Call a webhook"
    category = "Integrations"
    description = ("Sends an HTTP request with an Idempotency-Key header (the same on retries) and, with a secret, "
                   f"an HMAC-SHA256 signature of the body in {SIGNATURE_HEADER}. 5xx, 429 and timeouts are retried.")
    params_schema = params(
        ("url",), url={"type": "string", "minLength": 8},
        method={"type": "string", "enum": ["POST", "PUT", "PATCH", "GET", "DELETE"]},
        headers={"type": "object", "additionalProperties": {"type": "string"}},
        body={"type": "string"}, secret={"type": "string", "minLength": 8},
        timeout={"type": "number", "minimum": 1, "maximum": 30},
    )

    def execute(self, params, context):
        scheme, hostname, port, address = resolve_target(params["url"])
        parts = urlsplit(params["url"])
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = params.get("body", "").encode()
        headers = {"Content-Type": "application/json", "User-Agent": "lms-automations",
                   **params.get("headers", {}), "Idempotency-Key": context.idempotency_key or ""}
        if params.get("secret"):
            headers[SIGNATURE_HEADER] = sign(params["secret"], body)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(hostname, port, address, params.get("timeout", 10))
        try:
            connection.request(params.get("method", "POST"), path, body=body or None, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(300).decode("utf-8", "replace")
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            raise TransientError(f"{hostname} did not answer: {exc}") from exc
        finally:
            connection.close()
        status = response.status
        if 200 <= status < 300:
            return {"status": status}
        if status == 429 or status >= 500:
            retry_after = response.getheader("Retry-After")
            raise TransientError(f"{hostname} answered {status}",
                                 retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None)
        raise PermanentError(f"{hostname} answered {status}: {excerpt[:200]}")
