"""Stand-in of ``openedx.core.djangoapps.user_api.accounts.signals``."""
from django.dispatch import Signal

# providing_args=["user"], sent by the retirement pipeline's LMS misc step
USER_RETIRE_LMS_MISC = Signal()
