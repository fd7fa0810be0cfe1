"""What happened: the events the host and the plugin record, and what they change for the learner.

``recording`` writes events (the one insert a host signal causes) and hands them to whatever
reacts to them; ``transitions`` turns the host's repeats into changes and derives further events.
Nothing here imports the engine (``lms_automations.engine``, what to do): the engine connects
itself (``recording.connect_engine``) and imports this package, never the other way round.
"""
