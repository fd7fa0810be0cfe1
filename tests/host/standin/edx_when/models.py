"""Stand-in of ``edx_when.models``: ``UserDate``, the personal overrides the backend reads reasons of."""
from standin_rows import TableOf


class UserDate:
    objects = TableOf("user_dates")
