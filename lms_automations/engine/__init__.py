"""The automation engine — what to do: dispatch → match → step → act → wait → resume.

It reads what happened (``lms_automations.happened``) and never the other way round: importing
the engine connects its listener index and its hand-off to the recording of events, and the
thresholds automations ask for to the scan and the derived events.
The engine knows nothing about Open edX; everything it asks of the LMS goes through the host adapter.
"""


def _connect():
    from ..happened import recording, thresholds  # pylint: disable=import-outside-toplevel

    def listens(event_type):
        from .trigger_index import listens as listened  # pylint: disable=import-outside-toplevel

        return listened(event_type)

    def hand_over(items):
        from .dispatch import hand_over as engine_hand_over  # pylint: disable=import-outside-toplevel

        engine_hand_over(items)

    def enqueue(keys):
        from .dispatch import publish  # pylint: disable=import-outside-toplevel

        publish(keys)

    recording.connect_engine(listens=listens, hand_over=hand_over, enqueue=enqueue)

    def asked(event_type):
        from .trigger_index import HOST_VERSION_SECONDS, definitions  # pylint: disable=import-outside-toplevel

        return definitions(max_age=HOST_VERSION_SECONDS).thresholds(event_type)

    thresholds.connect(asked)


_connect()
