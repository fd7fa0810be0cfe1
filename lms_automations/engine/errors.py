"""How a step can fail, so that the engine knows whether to retry (SPEC §5.15).

Actions, conditions, waits and the host adapter raise these; anything else a step raises is treated
as transient once (it may be a deadlock or a dropped connection) and reported with its type.
"""


class StepError(Exception):
    """A step could not be completed; ``message`` is shown on the run's timeline."""

    permanent = True
    silent = False

    def __init__(self, message, *, detail=None):
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class PermanentError(StepError):
    """Retrying cannot help (4xx, missing course, retired learner, invalid field): fail the run."""


class RenderLimitError(PermanentError):
    """A template went past a render limit (output size, loop iterations, CPU time): the template has
    to change, so retrying cannot help."""


class SilentFailure(PermanentError):
    """A low-severity refusal (e.g. marketing e-mail to an unsubscribed learner): ``failed_silently``."""

    silent = True


class TransientError(StepError):
    """May succeed later (5xx, timeout, 429, deadlock, broker down): retry with backoff, up to a cap."""

    permanent = False

    def __init__(self, message, *, detail=None, retry_after=None):
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


class EndRun(Exception):
    """Not a failure: the flow says this learner's run ends here (e.g. a date already passed)."""

    def __init__(self, message, *, status="exited"):
        super().__init__(message)
        self.message = message
        self.status = status
