"""Audit history of definition models, the same in every LMS.

django-simple-history indexes ``history_date`` unless ``SIMPLE_HISTORY_DATE_INDEX`` says otherwise,
and edx-platform sets it to False: the historical models would then differ from the plugin's
migrations, and ``makemigrations --check`` inside the LMS would report changes. The plugin's
historical tables always index ``history_date`` (the history pages sort by it), whatever that setting.
"""
from simple_history.models import HistoricalRecords


class PluginHistoricalRecords(HistoricalRecords):
    """``HistoricalRecords`` whose ``history_date`` is indexed whatever ``SIMPLE_HISTORY_DATE_INDEX`` says."""

    @property
    def _date_indexing(self):
        return True
