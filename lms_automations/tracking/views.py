"""The tracking endpoints: the pixel, the click redirect and the unsubscribe page.

They answer anyone holding a link (mail clients, link scanners): nothing here needs a login, and
nothing here can fail the e-mail's reader — a broken token still gets the pixel or a plain page.
Links of a learner the LMS has since retired answer the same way but record nothing (ADR 0011).
"""
import base64
import hashlib
import logging

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ..consent import set_subscribed
from ..models import Event, MarketingConsent
from ..recording import record_event
from ..retirement import is_retired
from .tokens import read_token

log = logging.getLogger(__name__)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _record(event_type, data, key, **extra):
    if is_retired(data["u"]):
        return
    record_event(event_type, user_id=data["u"],
                 payload={"user_id": data["u"], "message_id": data["m"], "automation_id": data["a"],
                          "step_id": data["s"], **extra},
                 source=Event.SOURCE.plugin, idempotency_key=key)


@require_GET
@never_cache
def opened(request, token):
    """``email.opened`` once per message, whatever the number of loads."""
    data = read_token("open", token)
    if data:
        _record("email.opened", data, f"email:opened:{data['m']}")
    return HttpResponse(PIXEL, content_type="image/gif")


@require_GET
@never_cache
def clicked(request, token):
    """``email.clicked`` once per message and link, then on to the link that was signed."""
    data = read_token("click", token)
    if not data or not str(data.get("url", "")).startswith(("http://", "https://")):
        return HttpResponseBadRequest("This link is not valid. Open the course from the LMS instead.")
    url_hash = hashlib.sha256(data["url"].encode()).hexdigest()[:32]
    _record("email.clicked", data, f"email:clicked:{data['m']}:{url_hash}", url=data["url"])
    return HttpResponseRedirect(data["url"])


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail providers POST without a CSRF token
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request, token):
    """GET shows the learner's choice with one button (link scanners fetch links; they must not
    unsubscribe anyone); POST — the button, or the mail provider's one-click request — records the
    opt-out, or with ``choice=resubscribe`` (the page's "subscribe again" button) the opt-in.
    Each change records one ``email.unsubscribed`` / ``email.resubscribed`` (``consent``)."""
    data = read_token("unsubscribe", token)
    if not data:
        return render(request, "lms_automations/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST" and not is_retired(data["u"]):  # a retired learner: nothing to record
        resubscribe = request.POST.get("choice") == "resubscribe"
        set_subscribed(data["u"], resubscribe, source="unsubscribe link", payload={"message_id": data["m"]})
    subscribed = MarketingConsent.objects.filter(user_id=data["u"]).values_list("subscribed", flat=True).first()
    subscribed = True if subscribed is None else subscribed
    if request.method == "POST" and is_retired(data["u"]):
        subscribed = False
    return render(request, "lms_automations/unsubscribe.html",
                  {"done": not subscribed, "resubscribed": request.method == "POST" and subscribed})
