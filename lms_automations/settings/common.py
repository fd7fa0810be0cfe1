"""Default settings of the plugin; operators override any key of ``LMS_AUTOMATIONS``.

The defaults are merged *under* whatever the host already set, so an operator's partial dict keeps
its values and gains the keys it left out.
"""

DEFAULTS = {
    # Dotted path of the host adapter class: everything the plugin asks of the LMS goes through it.
    "HOST_BACKEND": "lms_automations.host.openedx.OpenEdxHost",
    # Celery queue of the plugin's tasks. The default is the queue every Tutor LMS worker consumes.
    "CELERY_QUEUE": "edx.lms.core.default",
    # A second run of the same automation for the same learner within this many seconds is skipped.
    "DEDUPE_SECONDS": 60,
    # How many due runs / undispatched events one tick claims per batch, and per Celery task.
    "TICK_BATCH_SIZE": 500,
    "TASK_BATCH_SIZE": 200,
    # Transient step failures are retried after RETRY_BASE_SECONDS, doubling up to the cap, and the
    # run fails after RETRY_MAX_ATTEMPTS attempts. A run never retries forever.
    "RETRY_MAX_ATTEMPTS": 6,
    "RETRY_BASE_SECONDS": 60,
    "RETRY_MAX_DELAY_SECONDS": 6 * 3600,
    # A worker advancing a run holds it this long; if the worker dies, the tick resumes it after.
    "RUN_LEASE_SECONDS": 900,
    # Events still undispatched this long after they were recorded are re-enqueued by the tick.
    "OUTBOX_RELAY_AFTER_SECONDS": 120,
    # Publishing a task (from the learner's request, after the host commits) waits at most this long
    # for the broker (connect, read, write) and is tried once; after a failure the process publishes
    # nothing for PUBLISH_PAUSE_SECONDS, and the tick's relay delivers what was not published.
    "PUBLISH_TIMEOUT_SECONDS": 0.25,
    "PUBLISH_PAUSE_SECONDS": 30,
    # The dispatch message of a host commit is published by a thread of the process, not in the
    # request: the commit queues its keys (microseconds) and commits arriving meanwhile share a message.
    "PUBLISH_IN_BACKGROUND": True,
    # Outgoing webhooks: private, loopback and link-local addresses are refused unless allowed here.
    "WEBHOOK_ALLOWED_HOSTS": [],
    "WEBHOOK_DENIED_HOSTS": [],
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": False,
    # Open / click tracking of the plugin's own e-mails (a pixel and signed redirects); email.send's
    # track param turns it off per step. Marketing e-mail always carries a signed unsubscribe link.
    "EMAIL_TRACKING": True,
    # Public root of the LMS for the links in e-mails; empty means the LMS's own LMS_ROOT_URL.
    "TRACKING_BASE_URL": "",
    # activity.inactive fires once per streak for each of these numbers of days without activity.
    "INACTIVITY_DAYS": [7, 14, 30],
    # Course completion percentages at which progress.threshold_reached fires (once each).
    "PROGRESS_THRESHOLDS": [25, 50, 75, 100],
    # Points balances at which points.threshold_reached fires (the first time each is crossed).
    "POINTS_THRESHOLDS": [100, 500, 1000],
    # How long the openedx host keeps a course's lesson outline (it is also keyed by the course's
    # last publication, so a re-published course is read afresh at once).
    "OUTLINE_CACHE_SECONDS": 3600,
    # Largest accepted request body of the REST event ingestion endpoint (bytes); larger ones get 413.
    "MAX_PAYLOAD_BYTES": 64 * 1024,
    # REST event ingestion (POST /api/automations/v1/events/): requests per client (user, or signing
    # source) and period, as DRF writes rates ("300/minute"); None turns throttling off.
    "INGEST_THROTTLE_RATE": "300/minute",
    # An ingested custom.<slug> nobody declared is registered (with its payload's fields) instead of
    # answered 404, as event APIs such as Reteno's do (ADR 0017). Off: types are declared in admin.
    "REGISTER_CUSTOM_EVENT_TYPES": False,
    # Commerce sources that sign their requests instead of logging in: {"source name": "shared secret"}.
    # An HMAC-signed source may send only order.* and subscription.* events.
    "INGEST_HMAC_SECRETS": {},
    # A signed request whose timestamp is further than this from the server's clock is refused (replay).
    "INGEST_HMAC_MAX_AGE_SECONDS": 300,
    # Stores the order.refund and subscription.cancel actions ask: {"name": {"url": "https://…",
    # "secret": "…"}}; without "secret", the store's INGEST_HMAC_SECRETS entry signs the requests.
    # The webhook address rules apply (private addresses refused unless allowed).
    "COMMERCE_STORES": {},
    # Templates in step params: the longest rendered text (UTF-8 bytes) of any param, e-mail bodies
    # included, and of a webhook's body; the loop iterations (nested loops included) and the CPU
    # seconds one render may take. A render past a limit fails the step (permanently, it names the param).
    "EMAIL_BODY_MAX_BYTES": 1024 * 1024,
    "WEBHOOK_BODY_MAX_BYTES": 256 * 1024,
    "TEMPLATE_MAX_LOOP_ITERATIONS": 10_000,
    "TEMPLATE_MAX_CPU_SECONDS": 1.0,
    # Secrets a step stores (a webhook's signing secret, credential headers) are encrypted at rest
    # with a key derived from SECRETS_KEY, or from the site's SECRET_KEY when it is None. To rotate,
    # list the previous keys in SECRETS_OLD_KEYS (SECRET_KEY_FALLBACKS are tried too).
    "SECRETS_KEY": None,
    "SECRETS_OLD_KEYS": [],
    # Retention, in days, of ended runs with their timelines, and of dispatched events.
    "RUN_RETENTION_DAYS": 365,
    "EVENT_RETENTION_DAYS": 180,
}


def plugin_settings(settings):
    """Merge the defaults under the host's ``LMS_AUTOMATIONS`` (called with the settings module)."""
    configured = getattr(settings, "LMS_AUTOMATIONS", None) or {}
    settings.LMS_AUTOMATIONS = {**DEFAULTS, **configured}
