"""Rewriting an e-mail's HTML for tracking: links through the signed redirect, a 1×1 pixel, and for
marketing e-mail an unsubscribe link plus the List-Unsubscribe headers (RFC 2369, one-click RFC 8058)."""
import re
from html import escape, unescape

from django.conf import settings

from ..conf import get_setting
from .tokens import make_token

#: ``href`` values of ``<a>`` tags that point at web pages (mailto:, tel:, #anchors stay as written).
LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)
PATH = "/api/automations/email"


def base_url():
    """Where the LMS answers (``TRACKING_BASE_URL``, else the LMS's own ``LMS_ROOT_URL``), or ''."""
    return (get_setting("TRACKING_BASE_URL") or getattr(settings, "LMS_ROOT_URL", "") or "").rstrip("/")


def unsubscribe_url(user_id, message_id):
    base = base_url()
    if not base:
        return ""
    return f"{base}{PATH}/unsubscribe/{make_token('unsubscribe', u=user_id, m=message_id)}/"


def tracked_email(body_html, *, user_id, message_id, automation_id, step_id, track, marketing):
    """``(body_html, headers)`` for sending: tracked when asked and allowed, with the unsubscribe
    link for marketing. Without a base URL nothing is rewritten (links would not resolve)."""
    base = base_url()
    headers = {}
    if not base:
        return body_html, headers
    message = {"m": message_id, "u": user_id, "a": automation_id, "s": step_id}
    if track and get_setting("EMAIL_TRACKING"):
        def through_redirect(match):
            url = unescape(match.group(3))
            token = make_token("click", **message, url=url)
            return f"{match.group(1)}{match.group(2)}{base}{PATH}/click/{token}/{match.group(2)}"

        body_html = LINK.sub(through_redirect, body_html)
        pixel = (f'<img src="{base}{PATH}/open/{make_token("open", **message)}.gif" width="1" height="1" '
                 'alt="" style="display:block;border:0;width:1px;height:1px">')
        body_html = _before_body_end(body_html, pixel)
    if marketing:
        link = unsubscribe_url(user_id, message_id)
        footer = (f'<p style="font-size:12px;color:#666">You receive this because of your courses. '
                  f'<a href="{escape(link)}">Unsubscribe</a> from these e-mails.</p>')
        body_html = _before_body_end(body_html, footer)
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return body_html, headers


def _before_body_end(html, snippet):
    position = html.lower().rfind("</body>")
    return html + snippet if position < 0 else html[:position] + snippet + html[position:]
