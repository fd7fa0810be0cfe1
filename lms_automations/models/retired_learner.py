"""The one thing the plugin keeps about a retired learner: that the id is retired (ADR 0011)."""
from django.db import models


class RetiredLearner(models.Model):
    """
    A learner the LMS retired: nothing is recorded for this user id any more.

    Open edX keeps the retired user's row (with a scrambled username and e-mail address), so links
    in e-mails sent before retirement and integrations that still know the id could otherwise
    re-create data. The tombstone holds the bare numeric id and an instant — no name, no address,
    nothing that identifies the person outside this LMS — so it is not PII; it is not a foreign key,
    so that nothing here "refers to" the user row.

    .. no_pii: a bare numeric user id and the retirement instant.
    """

    user_id = models.BigIntegerField(primary_key=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "lms_automations"

    def __str__(self):
        return f"retired learner {self.user_id}"
