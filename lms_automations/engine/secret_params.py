"""Secret params (a webhook's signing ``secret``) are stored, used, and never shown.

Exports, the API and admin show ``MASK`` in their place. A document or admin form that carries the
mask back for a step that already holds the secret keeps the stored one, so export → edit → update
works without anyone re-typing it; the mask anywhere else is refused by validation, which asks for
the secret itself. Actions name their secret params in ``Action.secret_params``.
"""
import copy
import re

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
            item["params"] = restored_params("action", step.kind, item["params"], step.params)
        for side in ("yes", "no"):
            if isinstance(item.get(side), list):
                _restore_in(item[side], stored)
