"""The steps of a dry run (``engine.dry_run``): each one as the stepper would take it, none executed.

Each walker fills the step's row of the report and returns ``(next step id, ended or None, now)``,
with the successors the engine's ``Definitions`` computed. Branches and waits use the stepper's own
evaluators (``evaluate_tree``, ``StepContext.render``, the wait's ``due_at``); actions are rendered
as the stepper renders their params and described, never performed.
"""
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Run
from .conditions import evaluate_tree
from .errors import PermanentError

#: What the dry run says of actions it does not render specially.
_EXTERNAL = gettext_lazy("done by the LMS or another system when the learner gets here")
_LOCAL = gettext_lazy("recorded in the plugin's learner data when the learner gets here")


def walk_branch(step, context, row, tzinfo):
    evaluation = evaluate_tree(step.condition, context, path=f"steps.{step.step_id}.condition")
    side = "yes" if evaluation.result else "no"
    row.update(evaluation.as_detail(), side=side)
    return (step.yes_first if evaluation.result else step.no_first) or step.next_id, None, context.now


def walk_wait(step, context, row, tzinfo):
    from ..catalogue import get_waits  # pylint: disable=import-outside-toplevel

    wait_class = get_waits().get(step.kind)
    if wait_class is None:
        raise PermanentError(f"unknown wait {step.kind!r}")
    params = context.render(step.params or {}, f"steps.{step.step_id}.params")
    due_at = wait_class().due_at(params, context)
    awaited = getattr(wait_class, "awaited_event", lambda p: None)(params)
    row["params"] = params
    if awaited:
        row.update(awaited_event=awaited, timeout_at=_in_zone(due_at, tzinfo),
                   on_timeout=params.get("on_timeout") or "continue")
        # The dry run goes on as if the event arrived at the timeout (or now, without one).
        return step.next_id, None, max(due_at or context.now, context.now)
    if due_at is None or due_at <= context.now:
        row.update(due_at=_in_zone(due_at, tzinfo), already_over=True)
        return step.next_id, None, context.now
    row.update(due_at=_in_zone(due_at, tzinfo), already_over=False)
    return step.next_id, None, due_at


def walk_action(step, context, row, tzinfo):
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel
    from .dry_run import masked  # pylint: disable=import-outside-toplevel

    action_class = get_actions().get(step.kind)
    if action_class is None:
        raise PermanentError(f"unknown action {step.kind!r}")
    raw_names = set(getattr(action_class, "raw_params", ()) or ())
    params = masked(step, step.params or {})
    rendered = context.render({name: value for name, value in params.items() if name not in raw_names},
                              f"steps.{step.step_id}.params")
    params = {name: params[name] if name in raw_names else rendered[name] for name in params}
    row["external"] = bool(action_class.external)
    describe = _DESCRIBERS.get(step.kind)
    row["params"] = params
    row["effect"] = str(_EXTERNAL if action_class.external else _LOCAL)
    ended = describe(params, context, row) if describe else None
    return step.next_id, ended, context.now


def _email(params, context, row):
    from ..actions.messaging import one_line, test_recipient  # pylint: disable=import-outside-toplevel
    from ..conditions.learner import is_subscribed  # pylint: disable=import-outside-toplevel

    transactional = params.get("category", "marketing") == "transactional"
    html = params.get("body_html") or ""
    email = {"subject": one_line(str(params.get("subject") or "")), "body_html": html,
             "body_text": params.get("body_text") or strip_tags(html).strip(),
             "category": "transactional" if transactional else "marketing",
             "to": (context.learner or {}).get("email") if isinstance(context.learner, dict) else None}
    redirect_to = test_recipient(context) if context.run is not None and context.run.is_test else None
    if redirect_to:
        email["to_user_id"], email["test"] = redirect_to, True
        email["subject"] = f"[TEST for {(context.learner or {}).get('username')}] {email['subject']}"
    row["email"] = email
    row.pop("params", None)
    if not transactional and not is_subscribed(context):
        email["would_send"] = False
        message = _("not sent: the learner is unsubscribed from marketing e-mail")
        row["note"] = message
        return {"status": Run.STATUS.failed_silently, "message": message}
    email["would_send"] = True
    return None


def _webhook(params, context, row):
    from ..actions.webhook import SIGNATURE_HEADER, render_body  # pylint: disable=import-outside-toplevel

    body = render_body(params, context)
    headers = dict(params.get("headers") or {})
    headers["Idempotency-Key"] = f"<run>:{row['id']}:<visit>"
    if params.get("secret"):
        headers[SIGNATURE_HEADER] = _("sha256=… (signed with the secret when sent)")
    row["webhook"] = {"method": params.get("method", "POST"), "url": params.get("url"), "headers": headers,
                      "body": body}
    row.pop("params", None)
    return None


_DESCRIBERS = {"email.send": _email, "webhook.send": _webhook}


def _in_zone(moment, tzinfo):
    return moment.astimezone(tzinfo).isoformat() if moment is not None else None
