"""Secret params (a webhook's signing ``secret``) are stored, used, and never shown.

Exports, the API and admin show ``MASK`` in their place. A document or admin form that carries the
mask back for a step that already holds the secret keeps the stored one, so export → edit → update
works without anyone re-typing it; the mask anywhere else is refused by validation, which asks for
the secret itself. Actions name their secret params in ``Action.secret_params``.

At rest, secrets are encrypted (``secret_box``): every save of a step seals them (``pre_save``,
so import, update, REST and admin alike, and the history rows it writes), and they are decrypted
only for the action that runs (``revealed_params`` in the step cycle) and for validation. An
unchanged secret keeps its stored token, so saving an unchanged document changes no row.
"""
import copy
import re

from django.db.models.signals import pre_save
from django.utils.translation import gettext as _

from .errors import PermanentError
from .secret_box import SecretUnreadable, is_sealed, seal, unseal

MASK = "********"
#: Header names whose values are credentials (``Authorization: Bearer …``, ``X-Api-Key``…).
CREDENTIAL_HEADER = re.compile(r"authorization|cookie|token|secret|passw|api[-_]?key|auth", re.IGNORECASE)


def secret_param_names(step_type, kind):
    """The names of the secret params of a step of this type and kind (none for unknown actions)."""
    if step_type != "action" or not kind:
        return ()
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel

    action_class = get_actions().get(kind)
    return tuple(getattr(action_class, "secret_params", ()) or ()) if action_class else ()


def secret_header_param_names(step_type, kind):
    """Params of the step's action that hold HTTP headers, whose credential values are secrets too."""
    if step_type != "action" or not kind:
        return ()
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel

    action_class = get_actions().get(kind)
    return tuple(getattr(action_class, "secret_header_params", ()) or ()) if action_class else ()


def _credential(header):
    return bool(CREDENTIAL_HEADER.search(str(header)))


def _map_secrets(step_type, kind, params, change):
    """``params`` with ``change(value, path, name, header)`` applied to each non-empty secret string."""
    names, header_names = secret_param_names(step_type, kind), secret_header_param_names(step_type, kind)
    if not (names or header_names) or not isinstance(params, dict):
        return params
    changed = {}
    for name, value in params.items():
        if name in names and isinstance(value, str) and value:
            value = change(value, f"params.{name}", name, None)
        elif name in header_names and isinstance(value, dict):
            value = {header: change(text, f"params.{name}.{header}", name, header)
                     if _credential(header) and isinstance(text, str) and text else text
                     for header, text in value.items()}
        changed[name] = value
    return changed


def sealed_params(step_type, kind, params, stored=None, *, automation_id):
    """``params`` as automation ``automation_id`` stores them: each secret encrypted, except one equal
    to the secret ``stored`` (the step's saved params) holds, which keeps its stored token; the mask
    is never encrypted."""
    stored = stored if isinstance(stored, dict) else {}

    def _seal(value, _path, name, header):
        if is_sealed(value) or value == MASK:
            return value
        previous = stored.get(name)
        if header is not None:
            previous = previous.get(header) if isinstance(previous, dict) else None
        if is_sealed(previous):
            try:
                if unseal(previous, scope=automation_id) == value:
                    return previous
            except SecretUnreadable:
                pass
        return seal(value, scope=automation_id)

    return _map_secrets(step_type, kind, params, _seal)


def revealed_params(step_type, kind, params, *, automation_id, strict=False):
    """``params`` of automation ``automation_id`` with each stored secret decrypted: only for the action
    about to run (``strict``: a secret no key decrypts is a ``PermanentError`` naming it) and for
    validation (it stays sealed, and ``unreadable_secrets`` reports it)."""

    def _unseal(value, path, _name, _header):
        try:
            return unseal(value, scope=automation_id)
        except SecretUnreadable as exc:
            if strict:
                raise PermanentError(_("{path}: the stored secret cannot be decrypted with this site's keys for "
                                       "this automation; if SECRET_KEY or LMS_AUTOMATIONS['SECRETS_KEY'] changed, "
                                       "list the old key in SECRETS_OLD_KEYS (or SECRET_KEY_FALLBACKS), or type "
                                       "the secret again")
                                     .format(path=path)) from exc
            return value

    return _map_secrets(step_type, kind, params, _unseal)


def revealed_step_params(step, *, strict=False):
    """The params of ``step`` (a ``Step``) with its secrets decrypted (see ``revealed_params``)."""
    return revealed_params(step.step_type, step.kind, step.params or {}, automation_id=step.automation_id,
                           strict=strict)


def unreadable_secrets(step_type, kind, params):
    """Paths of secrets still encrypted after ``revealed_params``: no configured key decrypts them."""
    found = []
    _map_secrets(step_type, kind, params, lambda value, path, *_: found.append(path) if is_sealed(value) else value)
    return found


def seal_step_secrets(sender, instance, **kwargs):  # pylint: disable=unused-argument
    """Before any save of a step: its secrets are encrypted (the history row is written from it too)."""
    instance.params = sealed_params(instance.step_type, instance.kind, instance.params,
                                    automation_id=instance.automation_id)


pre_save.connect(seal_step_secrets, sender="lms_automations.Step", dispatch_uid="lms_automations.seal_step_secrets")


def seal_secrets(item, stored_step=None):
    """The params of the document step ``item`` as they are stored, ``stored_step`` being the row it
    replaces: its unchanged secrets keep their tokens, so an unchanged step is not saved again. A new
    step's secrets are sealed when it is created (``seal_step_secrets``)."""
    params = item.get("params", {})
    if stored_step is None:
        return params
    step_type = item.get("type")
    kind = item.get(step_type, "") if step_type in ("action", "wait") else ""
    stored = stored_step.params if (stored_step.step_type, stored_step.kind) == (step_type, kind) else None
    return sealed_params(step_type, kind, params, stored, automation_id=stored_step.automation_id)


def masked_params(step_type, kind, params):
    """``params`` with every secret that has a value replaced by ``MASK``, credential headers included."""
    names, header_names = secret_param_names(step_type, kind), secret_header_param_names(step_type, kind)
    if not (names or header_names) or not isinstance(params, dict):
        return params
    masked = {}
    for name, value in params.items():
        if name in names and value not in (None, ""):
            value = MASK
        elif name in header_names and isinstance(value, dict):
            value = {header: MASK if CREDENTIAL_HEADER.search(str(header)) and text not in (None, "") else text
                     for header, text in value.items()}
        masked[name] = value
    return masked


def masked_step_params(step):
    """The params of ``step`` (a ``Step``) as exports and the API show them (see ``masked_params``)."""
    return masked_params(step.step_type, step.kind, step.params)


def restored_params(step_type, kind, params, stored):
    """``params`` with each masked secret replaced by the one in ``stored`` (the step's saved params)."""
    names, header_names = secret_param_names(step_type, kind), secret_header_param_names(step_type, kind)
    if not (names or header_names) or not isinstance(params, dict) or not isinstance(stored, dict):
        return params
    restored = {}
    for name, value in params.items():
        if name in names and value == MASK and stored.get(name):
            value = stored[name]
        elif name in header_names and isinstance(value, dict) and isinstance(stored.get(name), dict):
            value = {header: stored[name][header] if text == MASK and stored[name].get(header) else text
                     for header, text in value.items()}
        restored[name] = value
    return restored


def leftover_masks(step_type, kind, params):
    """Paths (``params.secret``, ``params.headers.Authorization``) still holding the mask: a secret
    that nothing stored could stand in for."""
    if not isinstance(params, dict):
        return []
    paths = [f"params.{name}" for name in secret_param_names(step_type, kind) if params.get(name) == MASK]
    for name in secret_header_param_names(step_type, kind):
        if isinstance(params.get(name), dict):
            paths += [f"params.{name}.{header}" for header, text in params[name].items() if text == MASK]
    return paths


def restore_secrets(document, automation):
    """A copy of ``document`` whose masked secrets are the ones ``automation`` stores for the same step
    (same id, same action); ``document`` itself is left as it is."""
    if automation is None or not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        return document
    stored = {step.step_id: step for step in automation.steps.filter(step_type="action")}
    if not stored:
        return document
    document = copy.deepcopy(document)
    _restore_in(document["steps"], stored)
    return document


def _restore_in(steps, stored):
    for item in steps:
        if not isinstance(item, dict):
            continue
        step = stored.get(item.get("id")) if isinstance(item.get("id"), str) else None
        if (step is not None and item.get("type") == "action" and item.get("action") == step.kind
                and isinstance(item.get("params"), dict)):
            item["params"] = restored_params("action", step.kind, item["params"], revealed_step_params(step))
        for side in ("yes", "no"):
            if isinstance(item.get(side), list):
                _restore_in(item[side], stored)
