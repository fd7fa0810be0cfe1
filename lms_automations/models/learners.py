"""The learner as the admin shows them: a name for the learner page's admin URL."""
from django.utils.translation import gettext_lazy as _

from .runs import LearnerEntry


class Learner(LearnerEntry):
    """
    A learner's standing in one automation, listed under "Learners" in the admin, whose page shows
    all of the learner's runs and events (``admin.learner_page``). A proxy: no table of its own.

    .. no_pii:
    """

    class Meta:
        proxy = True
        app_label = "lms_automations"
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
