"""Turning what edx-platform raises into the engine's permanent and transient errors.

Host exceptions are imported at call time (the plugin must load where edx-platform is absent), so the
mapping is given per call as ``{exception class: message}``; anything matched becomes a
``PermanentError`` unless listed as transient. Database trouble (deadlocks, dropped connections) is
always transient: the same call may well succeed a minute later.
"""
import contextlib

from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from ...engine.errors import PermanentError, StepError, TransientError


@contextlib.contextmanager
def host_call(permanent=None, transient=None):
    """Map the host's exceptions raised inside the block.

    ``permanent`` / ``transient``: ``{exception class: message}``; the message may use ``{error}``
    for the exception's own text. The first matching class wins, so list subclasses first.
    """
    try:
        yield
    except StepError:
        raise
    except Exception as exc:  # pylint: disable=broad-except
        for mapping, error_class in ((permanent or {}, PermanentError), (transient or {}, TransientError)):
            for exc_class, message in mapping.items():
                if isinstance(exc, exc_class):
                    raise error_class(message.format(error=exc), detail={"host_error": type(exc).__name__}) from exc
        if isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError):
            raise TransientError(f"the LMS database was not available: {exc}",
                                 detail={"host_error": type(exc).__name__}) from exc
        raise


def user_for(user_id):
    """The LMS user, or a permanent error naming the id (retired or deleted learners end up here)."""
    try:
        return get_user_model().objects.select_related("profile").get(pk=user_id)
    except get_user_model().DoesNotExist:
        raise PermanentError(f"there is no learner with id {user_id} in the LMS") from None


def course_key_of(course_key):
    """A ``CourseKey`` from a string (the engine passes strings), or a permanent error."""
    if isinstance(course_key, CourseKey):
        return course_key
    try:
        return CourseKey.from_string(str(course_key))
    except InvalidKeyError:
        raise PermanentError(f"{course_key!r} is not a course key (course-v1:ORG+COURSE+RUN)") from None


def usage_key_of(block_key, course_key):
    """A ``UsageKey`` that belongs to ``course_key``, with the run filled in, or a permanent error."""
    try:
        usage_key = UsageKey.from_string(str(block_key))
    except InvalidKeyError:
        raise PermanentError(f"{block_key!r} is not a block key (block-v1:...)") from None
    if usage_key.course_key.run is None:  # an old-style key without the run: it means this course's
        usage_key = usage_key.map_into_course(course_key)
    if usage_key.course_key != course_key:
        raise PermanentError(f"the block {block_key} is not in {course_key}")
    return usage_key


def filter_refusal(what):
    """An Open edX filter pipeline step that stops the operation raises a subclass of
    ``OpenEdxFilterException`` (openedx-filters is part of every supported LMS; elsewhere: nothing)."""
    try:
        from openedx_filters.exceptions import OpenEdxFilterException  # pylint: disable=import-outside-toplevel
    except ImportError:
        return {}
    return {OpenEdxFilterException: f"the LMS refused {what} ({{error}})"}
