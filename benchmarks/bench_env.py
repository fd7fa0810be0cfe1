"""What every benchmark runs on: the repository on the path and the sandbox settings with DEBUG off
(DEBUG keeps every query in memory: not what a site runs), on its own database unless DATABASE_URL
names one (MariaDB/PostgreSQL)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")
os.environ.setdefault("SANDBOX_DEBUG", "0")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")


class StatementCounter:
    """Counts the SQL statements (and COMMITs, including the driver's own) run on a connection:
    ``with StatementCounter(connection) as counted: ...``; unlike CaptureQueriesContext it keeps no
    list, so it counts any number."""

    def __init__(self, connection):
        self.connection, self.statements, self.commits = connection, 0, 0
        self._original_commit = None

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        if sql.strip().upper().startswith("COMMIT"):
            self.commits += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        counter = self
        original = self.connection._commit  # pylint: disable=protected-access

        def counting_commit():
            counter.commits += 1
            counter.statements += 1
            return original()

        self._original_commit = original
        self.connection._commit = counting_commit  # pylint: disable=protected-access
        return self

    def __exit__(self, *exc):
        self.connection._commit = self._original_commit  # pylint: disable=protected-access
        return self._wrapper.__exit__(*exc)
