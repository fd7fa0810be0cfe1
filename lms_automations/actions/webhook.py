"""``webhook.send``: call another system with a signed, idempotent request (standard library only).

The request goes to the address ``webhook_safety.check_url`` approved, never to a fresh DNS answer,
and redirects are not followed (a 3xx fails the step: it could point anywhere). ``timeout`` bounds
the whole exchange, not each socket read, so a server that trickles its answer cannot hold a worker.
The receiver can verify the body with the shared secret::

    expected = "sha256=" + hmac.new(secret, raw_body, hashlib.sha256).hexdigest()
    hmac.compare_digest(expected, request.headers["X-LMS-Automations-Signature"])

and drop repeats by ``Idempotency-Key``, which stays the same when the step is retried.

The body is a template the action renders itself (``raw_params``), because text rendering would put
a learner's ``"`` straight into a JSON document: a JSON body that parses as written (templates only
inside strings) is rendered string by string and serialised again, so every value is exactly one
JSON string; any other JSON body (a template outside quotes, e.g. ``"id": {{ learner.id }}``) is
rendered with every string it reads escaped for a JSON string. A body sent with a non-JSON
``Content-Type`` is rendered as plain text.
"""
import email.utils
import hashlib
import hmac
import http.client
import json
import socket
import ssl
from time import monotonic

from django.utils.translation import gettext as _

from .. import __version__
from ..catalogue import Action
from ..conf import get_setting
from ..engine.errors import PermanentError, RenderLimitError, TransientError
from ..engine.secret_params import leftover_masks, unreadable_secrets
from ..engine.template_limits import render_budget
from ..engine.templates import is_template
from .params import params, with_extra_errors
from .webhook_safety import check_url

SIGNATURE_HEADER = "X-LMS-Automations-Signature"
#: Set by the action; a course team's ``headers`` may not replace them.
RESERVED_HEADERS = ("host", "content-length", "transfer-encoding", "connection", "idempotency-key",
                    SIGNATURE_HEADER.lower())
MAX_BODY_BYTES = 256 * 1024
EXCERPT_BYTES = 512
DEFAULT_TIMEOUT = 10


class _DeadlineMixin:
    """Each read gets only the time left until ``deadline`` (``monotonic``)."""

    deadline = None

    def recv_into(self, *args, **kwargs):
        if self.deadline is not None:
            remaining = self.deadline - monotonic()
            if remaining <= 0:
                raise TimeoutError("no complete answer before the timeout")
            self.settimeout(remaining)
        return super().recv_into(*args, **kwargs)


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to the checked address of a ``Target``, wherever its name resolves now."""

    def __init__(self, target, deadline):
        super().__init__(target.hostname, target.port)
        self.target, self.deadline = target, deadline

    def connect(self):
        sock = _DeadlineSocket(self.target.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(self.deadline - monotonic(), 0.001))
            sock.connect(self.target.sockaddr)
            sock.deadline = self.deadline
            self.sock = self.secure(sock)
        except BaseException:
            sock.close()
            raise

    def secure(self, sock):
        return sock


class PinnedTLSConnection(PinnedConnection):
    """HTTPS to the checked address; the certificate is verified against the URL's host name."""

    def secure(self, sock):
        context = tls_context()
        context.sslsocket_class = _DeadlineSSLSocket
        wrapped = context.wrap_socket(sock, server_hostname=self.target.hostname)
        wrapped.deadline = self.deadline
        return wrapped


def tls_context():
    """The system's trusted CAs and Python's safe defaults (hostname check on)."""
    return ssl.create_default_context()


def sign(secret, body):
    """The signature header's value: HMAC-SHA256 of the raw body with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(target, method, headers, body, timeout):
    """Send one request; ``(status, headers, first bytes of the body)``. Raises what the socket raises."""
    connection_class = PinnedTLSConnection if target.scheme == "https" else PinnedConnection
    connection = connection_class(target, monotonic() + timeout)
    try:
        connection.request(method, target.path, body=body or None, headers={**headers, "Host": target.host_header})
        response = connection.getresponse()
        return response.status, response.headers, response.read(EXCERPT_BYTES)
    finally:
        connection.close()


def retry_after_seconds(value, now):
    """``Retry-After`` (seconds or an HTTP date) as seconds, capped like the engine's own backoff."""
    value = (value or "").strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            seconds = (email.utils.parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(int(seconds), get_setting("RETRY_MAX_DELAY_SECONDS")) if seconds > 0 else None


def excerpt(raw, limit=200):
    text = "".join(char for char in raw.decode("utf-8", "replace") if char.isprintable() or char.isspace())
    return " ".join(text.split())[:limit]


def _json_string_content(text):
    """``text`` escaped to sit between the quotes of a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _is_json_body(params):
    headers = params.get("headers") or {}
    content_type = next((value for name, value in headers.items() if name.lower() == "content-type"), None)
    return content_type is None or "json" in str(content_type).lower()


def render_body(params, context, path="params.body"):
    """The body to send: the ``body`` template rendered with its values escaped for JSON (see above),
    every string of it within one render budget whose output limit is ``WEBHOOK_BODY_MAX_BYTES``."""
    body = params.get("body") or ""
    if not is_template(body):
        return body
    with render_budget(setting="WEBHOOK_BODY_MAX_BYTES"):
        return _render_body(body, params, context, path)


def _render_body(body, params, context, path):
    if not _is_json_body(params):
        return context.render_template(body, path)
    try:
        document = json.loads(body)
    except ValueError:
        return context.render_template(body, path, escape=_json_string_content)
    return json.dumps(_render_json_strings(document, context, path), ensure_ascii=False)


def _render_json_strings(value, context, path):
    if isinstance(value, str):
        return context.render_template(value, path)
    if isinstance(value, dict):
        return {context.render_template(key, f"{path}.{key}"): _render_json_strings(item, context, f"{path}.{key}")
                for key, item in value.items()}
    if isinstance(value, list):
        return [_render_json_strings(item, context, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def _reserved_header_errors(params):
    headers = params.get("headers") if isinstance(params, dict) else None
    return [{"path": f"params.headers.{name}", "message": f"{name} is set by the webhook action itself; remove it"}
            for name in (headers if isinstance(headers, dict) else {}) if name.lower() in RESERVED_HEADERS]


class WebhookSend(Action):
    key = "webhook.send"
    label = "Call a webhook"
    category = "Integrations"
    description = ("Sends an HTTP request to another system. Every request carries an Idempotency-Key header (the same "
                   "when the step is retried) and, with a secret, an HMAC-SHA256 signature of the body in "
                   f"{SIGNATURE_HEADER} (sha256=<hex>). 5xx, 429 and timeouts are retried with backoff; other 4xx "
                   "fail the run; redirects are not followed. Private and internal addresses are refused unless "
                   "the operator allows them.")
    params_schema = params(
        ("url",),
        url={"type": "string", "maxLength": 2000, "pattern": r"^https?://[^/?#{}\s@]+([/?#].*)?$",
             "description": "an http:// or https:// URL; templates only after the host, e.g. "
                            "https://crm.example.com/learners/{{ learner.id }}"},
        method={"type": "string", "enum": ["POST", "PUT", "PATCH", "DELETE", "GET"],
                "description": "the HTTP method (default POST)"},
        headers={"type": "object", "maxProperties": 30,
                 "propertyNames": {"pattern": r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$",
                                   "description": "a header name: letters, digits and -"},
                 "additionalProperties": {"type": "string", "maxLength": 4000, "pattern": r"^[^\r\n]*$"},
                 "description": "extra request headers, e.g. {\"Authorization\": \"Bearer …\"}"},
        body={"type": "string", "maxLength": MAX_BODY_BYTES,
              "description": "the request body (a template), usually JSON; sent as application/json unless a "
                             "Content-Type header says otherwise. In a JSON body, values from templates are "
                             "escaped, so a learner's name with a quote stays one string"},
        secret={"type": "string", "minLength": 16, "maxLength": 500,
                "description": "shared secret for the signature header (at least 16 characters)"},
        timeout={"type": "number", "minimum": 1, "maximum": 30,
                 "description": f"seconds for the whole request, 1–30 (default {DEFAULT_TIMEOUT})"},
    )

    raw_params = ("body",)  # rendered by ``render_body``, values escaped for JSON
    secret_params = ("secret",)  # masked in exports and admin
    secret_header_params = ("headers",)  # Authorization, X-Api-Key… values masked too

    @classmethod
    def check_params(cls, params):
        masked = leftover_masks("action", cls.key, params)
        unreadable = unreadable_secrets("action", cls.key, params)
        if masked or unreadable:
            # An export's mask where no stored secret can stand in for it (a new automation or step), or a
            # stored secret no configured key decrypts: the schema is checked with a stand-in secret.
            schema_errors = super().check_params({**params, "secret": "x" * 16}
                                                 if "params.secret" in (*masked, *unreadable) else params)
            mask_errors = [{"path": path, "message": "this is the mask an export shows in place of the secret; "
                                                     "type the secret itself"} for path in masked]
            unreadable_errors = [{"path": path, "message": _("the stored secret cannot be decrypted with this "
                                                             "site's keys (was SECRET_KEY changed?); type the "
                                                             "secret again")} for path in unreadable]
            return with_extra_errors(schema_errors,
                                     [*mask_errors, *unreadable_errors, *_reserved_header_errors(params)])
        return with_extra_errors(super().check_params(params), _reserved_header_errors(params))

    def execute(self, params, context):
        if _reserved_header_errors(params):
            raise PermanentError(_reserved_header_errors(params)[0]["message"])
        target = check_url(params["url"])
        body = render_body(params, context).encode()
        limit = get_setting("WEBHOOK_BODY_MAX_BYTES")
        if len(body) > limit:
            raise RenderLimitError(_("params.body: the rendered body is {size:,} bytes; at most {limit:,} are sent "
                                     "(LMS_AUTOMATIONS['WEBHOOK_BODY_MAX_BYTES'])").format(size=len(body), limit=limit))
        headers = {"User-Agent": f"lms-automations/{__version__}"}
        if body:
            headers["Content-Type"] = "application/json"
        for name, value in (params.get("headers") or {}).items():
            headers = {key: old for key, old in headers.items() if key.lower() != name.lower()}
            headers[name] = value
        if context.idempotency_key:
            headers["Idempotency-Key"] = context.idempotency_key
        if params.get("secret"):
            headers[SIGNATURE_HEADER] = sign(params["secret"], body)
        timeout = params.get("timeout", DEFAULT_TIMEOUT)
        status, response_headers, first_bytes = self._send(target, params.get("method", "POST"), headers, body,
                                                           timeout)
        return self._classify(target, status, response_headers, first_bytes, context)

    @staticmethod
    def _send(target, method, headers, body, timeout):
        where = target.hostname
        try:
            return deliver(target, method, headers, body, timeout)
        except ssl.SSLCertVerificationError as exc:
            raise PermanentError(f"the TLS certificate of {where} is not valid: {exc.verify_message}") from exc
        except TimeoutError as exc:
            raise TransientError(f"{where} did not answer within {timeout:g} s") from exc
        except (ValueError, http.client.InvalidURL) as exc:
            # http.client refuses a header it cannot send (e.g. a rendered value with a line break); the
            # message would quote the value, which may be a credential, so it is not repeated here.
            raise PermanentError(f"the request to {where} cannot be sent: a header name or value holds a "
                                 "character HTTP does not allow (such as a line break)") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise TransientError(f"{where} could not be reached: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _classify(target, status, headers, first_bytes, context):
        where = target.hostname
        if 200 <= status < 300:
            return {"status": status}
        if status in (408, 429) or status >= 500:
            raise TransientError(f"{where} answered {status}",
                                 retry_after=retry_after_seconds(headers.get("Retry-After"), context.now))
        if 300 <= status < 400:
            location = excerpt(headers.get("Location", "").encode())
            raise PermanentError(f"{where} answered {status} (a redirect to {location}); webhooks do not follow "
                                 "redirects: use the final URL")
        raise PermanentError(f"{where} answered {status}: {excerpt(first_bytes)}")
