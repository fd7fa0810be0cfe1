"""Stand-in of ``openedx.core.djangoapps.signals.signals`` (the one the plugin listens to)."""
from django.dispatch import Signal

# sent by Registration.activate(): USER_ACCOUNT_ACTIVATED.send_robust(Registration, user=user)
USER_ACCOUNT_ACTIVATED = Signal()
