"""Stand-in of ``xmodule.modulestore.exceptions``."""


class ItemNotFoundError(Exception):
    pass
