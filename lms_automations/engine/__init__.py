"""The automation engine: dispatch → match → step → act → wait → resume.

The engine knows nothing about Open edX; everything it asks of the LMS goes through the host adapter.
"""
