"""Stand-in of ``openedx.core.djangoapps.user_api.preferences.api``."""
import standin_state


def get_user_preference(requesting_user, preference_key, username=None):
    standin_state.LMS.record("get_user_preference", requesting_user, preference_key, username=username)
    return standin_state.LMS.preferences.get((requesting_user.pk, preference_key))
