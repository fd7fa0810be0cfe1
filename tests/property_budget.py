"""How many examples the expensive properties try, by where the suite runs.

A developer's run tries a few (the suite stays quick); CI's derandomized profile tries more; and the
one CI run that carries the long properties (``make test`` under CI, which sets
``LMS_AUTOMATIONS_LONG_PROPERTIES=1``) tries thousands. The same suite runs four times in CI (SQLite,
the oldest row, MariaDB, PostgreSQL): running thousands in each would take most of CI's time.
"""
import os


def examples(long, *, ci=300, dev=100):
    if os.environ.get("LMS_AUTOMATIONS_LONG_PROPERTIES") == "1":
        return long
    return ci if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else dev
