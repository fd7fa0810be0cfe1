"""Stand-in of ``openedx.core.djangoapps.user_authn.views.registration_form`` (Verawood and later)."""
import standin_state


def get_extended_profile_model():
    """The model behind ``PROFILE_EXTENSION_FORM``, or None where the site keeps no such model."""
    return standin_state.LMS.extended_profile_model
