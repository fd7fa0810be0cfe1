"""Actions: what an automation does to or for a learner (SPEC §4.3)."""
from .base import CatalogueEntry


class Action(CatalogueEntry):
    """``execute(params, context)`` does the work and returns a JSON-able dict for the timeline.

    ``external`` decides the delivery guarantee (SPEC §5.14): ``False`` (database-local: tags,
    points, fields, lists) runs inside the step's transaction, so it happens exactly once.
    ``True`` (LMS calls, e-mail, webhooks) runs outside it, at least once; pass
    ``context.idempotency_key`` on so the receiving side can drop repeats. The default is ``True``
    because assuming at-least-once is the safe mistake.
    """

    external = True
    #: Params the engine hands over as written (templates unrendered), for an action that renders them
    #: itself because the plain text rendering would be wrong there — ``webhook.send`` escapes the
    #: values it places into a JSON body. Render them with ``context.render_template``.
    raw_params = ()
    #: Params that hold a credential (``webhook.send``'s ``secret``): used as stored, but exports, the API
    #: and admin show a mask instead, and the mask sent back keeps the stored value.
    secret_params = ()
    #: Params that hold HTTP headers: the values of credential headers (Authorization, X-Api-Key,
    #: Cookie…) in them are treated as ``secret_params``.
    secret_header_params = ()
    #: For a database-local action, optionally ``execute_many(calls)``: ``calls`` is a list of
    #: ``(params, context)`` (several learners' runs reaching the step in one stepper round) and the
    #: answer their results in order, each what ``execute`` would return, with the same effects and
    #: events as the calls made one after the other. The engine uses it in rounds without savepoints;
    #: if it raises, the round is done again with ``execute`` for each run in a savepoint. None:
    #: ``execute`` once per run.
    execute_many = None

    def execute(self, params, context):
        raise NotImplementedError(f"{type(self).__name__} must implement execute(params, context)")
