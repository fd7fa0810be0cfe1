"""Conditions on the learner: profile and plugin fields, tags, lists, consent, points."""
from django.db.models import Sum

from ..catalogue import Condition
from ..engine.ops import compare
from ..models import LearnerField, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from .schemas import ANY_VALUE, COURSE_KEY, NUMERIC_OPS, OP, params

PROFILE_FIELDS = ("username", "email", "name", "first_name", "last_name", "language", "country", "date_joined",
                  "last_login")


def is_subscribed(context):
    """Marketing consent: the plugin's own record first, then the host's ``is_marketable``, else yes."""
    consent = MarketingConsent.objects.filter(user_id=context.user_id).values_list("subscribed", flat=True).first()
    if consent is not None:
        return consent
    marketable = context.host.is_marketable(context.user_id)
    return True if marketable is None else marketable


def points_balance(user_id, course_key=None):
    entries = PointsEntry.objects.filter(user_id=user_id)
    if course_key:
        entries = entries.filter(course_key=course_key)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


class LearnerFieldCondition(Condition):
    key = "learner.field"
    label = "Learner field"
    category = "Learner"
    description = ("Compares a profile field (username, email, name, language, country, date_joined, last_login) "
                   "or a learner field the plugin keeps.")
    params_schema = params(("field", "op"), field={"type": "string", "minLength": 1}, op=OP, value=ANY_VALUE)

    def evaluate(self, params, context):
        field = params["field"]
        if field in PROFILE_FIELDS:
            observed = context.learner.get(field)
        else:
            observed = LearnerField.objects.filter(user_id=context.user_id, name=field).values_list(
                "value", flat=True).first()
        return compare(observed, params["op"], params.get("value"), now=context.now), observed


class LearnerHasTag(Condition):
    key = "learner.has_tag"
    label = "Has a tag"
    category = "Learner"
    description = "Whether the learner carries a tag (exact, or any tag containing the text with match=partial)."
    params_schema = params(("tag",), tag={"type": "string", "minLength": 1},
                           match={"type": "string", "enum": ["exact", "partial"]})

    def evaluate(self, params, context):
        tags = LearnerTag.objects.filter(user_id=context.user_id)
        if params.get("match") == "partial":
            tags = tags.filter(tag__icontains=params["tag"])
        else:
            tags = tags.filter(tag=params["tag"])
        found = list(tags.values_list("tag", flat=True)[:10])
        return bool(found), found


class LearnerInList(Condition):
    key = "learner.in_list"
    label = "Is in a list"
    category = "Learner"
    description = "Whether the learner is a member of a list (by its slug)."
    params_schema = params(("list",), list={"type": "string", "minLength": 1})

    def evaluate(self, params, context):
        return ListMembership.objects.filter(user_id=context.user_id, learner_list__slug=params["list"]).exists()


class LearnerSubscribed(Condition):
    key = "learner.subscribed"
    label = "Accepts marketing e-mail"
    category = "Learner"
    description = "Whether the learner accepts marketing e-mail (unsubscribe link, admin, and the LMS's is_marketable)."

    def evaluate(self, params, context):
        return is_subscribed(context)


class LearnerPoints(Condition):
    key = "learner.points"
    label = "Points balance"
    category = "Learner"
    description = "Compares the learner's points balance (all points, or those of one course)."
    params_schema = params(("op", "value"), op={"type": "string", "enum": NUMERIC_OPS}, value={"type": "number"},
                           course_key=COURSE_KEY)

    def evaluate(self, params, context):
        balance = points_balance(context.user_id, params.get("course_key"))
        return compare(balance, params["op"], params["value"]), balance
