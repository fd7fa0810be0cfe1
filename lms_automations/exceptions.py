"""Exceptions of the public API."""


class InvalidAutomation(ValueError):
    """An automation document or definition that cannot be saved or activated.

    ``errors`` lists every problem found as ``{"path": "steps[2].params.days", "message": "..."}``,
    so that a course team member can fix them all at once.
    """

    def __init__(self, errors):
        self.errors = list(errors)
        summary = "; ".join(f"{error['path']}: {error['message']}" for error in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"invalid automation: {summary}{more}")
