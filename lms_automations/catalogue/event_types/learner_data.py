"""Event types of the plugin's learner data: tags, fields, lists, points."""
from ..events import EventType


class TagAdded(EventType):
    key = "tag.added"
    label = "Tag added"
    category = "Learner data"
    description = "A tag was added to the learner."
    payload_fields = {
        "tag": "the tag",
    }


class TagRemoved(EventType):
    key = "tag.removed"
    label = "Tag removed"
    category = "Learner data"
    description = "A tag was removed from the learner."
    payload_fields = {
        "tag": "the tag",
    }


class FieldChanged(EventType):
    key = "field.changed"
    label = "Learner field changed"
    category = "Learner data"
    description = "A learner field changed value."
    payload_fields = {
        "field": "the field",
        "old": "its previous value",
        "new": "its new value",
    }


class ListJoined(EventType):
    key = "list.joined"
    label = "Added to a list"
    category = "Learner data"
    description = "The learner was added to a list."
    payload_fields = {
        "list": "the list",
    }


class ListLeft(EventType):
    key = "list.left"
    label = "Removed from a list"
    category = "Learner data"
    description = "The learner was removed from a list."
    payload_fields = {
        "list": "the list",
    }


class PointsAwarded(EventType):
    key = "points.awarded"
    label = "Points awarded"
    category = "Learner data"
    description = "Points were added to the learner's ledger."
    payload_fields = {
        "amount": "points added",
        "balance": "the new balance",
        "course_key": "the course, if the points belong to one",
    }


class PointsDeducted(EventType):
    key = "points.deducted"
    label = "Points deducted"
    category = "Learner data"
    description = "Points were taken from the learner's ledger."
    payload_fields = {
        "amount": "points taken",
        "balance": "the new balance",
        "course_key": "the course, if the points belong to one",
    }


class PointsThresholdReached(EventType):
    key = "points.threshold_reached"
    label = "Points threshold reached"
    category = "Learner data"
    description = "The balance crossed a threshold (setting POINTS_THRESHOLDS) for the first time."
    payload_fields = {
        "balance": "the balance",
        "threshold": "the threshold crossed",
    }
