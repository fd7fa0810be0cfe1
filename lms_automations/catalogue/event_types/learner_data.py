"""Event types of the learner data the plugin keeps: tags, fields, lists, points. They fire on real
changes only (adding a tag the learner already has fires nothing), whoever made the change."""
from ..base import object_schema
from ..events import EventType


class TagAdded(EventType):
    key = "tag.added"
    label = "Tag added"
    category = "Learner data"
    description = "Fires when the learner gets a tag they did not have."
    payload_fields = {
        "tag": "the tag",
    }


class TagRemoved(EventType):
    key = "tag.removed"
    label = "Tag removed"
    category = "Learner data"
    description = "Fires when a tag the learner had is removed."
    payload_fields = {
        "tag": "the tag",
    }


class FieldChanged(EventType):
    key = "field.changed"
    label = "Learner field changed"
    category = "Learner data"
    description = "Fires when a learner field the plugin keeps (or a profile field the host adapter exposes) gets a different value or is cleared."
    payload_fields = {
        "field": "the field's name",
        "old": "its previous value (null if it had none)",
        "new": "its new value (null when cleared)",
    }


class ListJoined(EventType):
    key = "list.joined"
    label = "Added to a list"
    category = "Learner data"
    description = "Fires when the learner is added to a list they were not on."
    payload_fields = {
        "list": "the list",
    }


class ListLeft(EventType):
    key = "list.left"
    label = "Removed from a list"
    category = "Learner data"
    description = "Fires when the learner is removed from a list they were on."
    payload_fields = {
        "list": "the list",
    }


class PointsAwarded(EventType):
    key = "points.awarded"
    label = "Points awarded"
    category = "Learner data"
    description = "Fires when points are added to the learner's ledger, once per ledger entry."
    payload_fields = {
        "amount": "points added",
        "balance": "the balance after",
        "course_key": "the course the points belong to, if any",
    }


class PointsDeducted(EventType):
    key = "points.deducted"
    label = "Points deducted"
    category = "Learner data"
    description = "Fires when points are taken from the learner's ledger, once per ledger entry."
    payload_fields = {
        "amount": "points taken",
        "balance": "the balance after",
        "course_key": "the course the points belong to, if any",
    }


class PointsThresholdReached(EventType):
    key = "points.threshold_reached"
    label = "Reached a points milestone"
    category = "Learner data"
    description = ("Fires when the learner's balance reaches the score the trigger chooses for the first time; "
                   "falling back and climbing again does not fire it twice, nor does a learner who had reached it "
                   "before the automation was activated. Without a score the trigger hears the operator's "
                   "defaults (LMS_AUTOMATIONS['POINTS_THRESHOLDS'], 100, 500, 1000 unless changed).")
    payload_fields = {
        "balance": "the balance that crossed it",
        "threshold": "the threshold crossed",
    }
    params_schema = object_schema(threshold={
        "type": "integer", "minimum": 1, "maximum": 1000000000,
        "description": "the points balance that starts the run; empty: the operator's defaults"})
    threshold_param = "threshold"
    thresholds_setting = "POINTS_THRESHOLDS"
