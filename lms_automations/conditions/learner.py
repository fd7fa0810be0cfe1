"""Conditions on the learner: profile and plugin fields, tags, lists, consent, points."""
from django.db.models import Sum

from ..catalogue import Condition
from ..engine.ops import compare
from ..models import LearnerField, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from .params import COURSE_KEY, NAME, NUMERIC_OP, SLUG, compared_params, params, rendered_course_key

#: Read from the host's profile; any other name is a learner field the plugin keeps.
PROFILE_FIELDS = ("username", "email", "name", "first_name", "last_name", "language", "country", "date_joined",
                  "last_login")
#: How many matching tags a partial match shows in the explanation.
SHOWN_TAGS = 10


def subscription(context):
    """``(subscribed, source)``: the plugin's own consent record first (unsubscribe link, admin), then
    the host's ``is_marketable``, else subscribed — the LMS's default for an account."""
    consent = MarketingConsent.objects.filter(user_id=context.user_id).values_list("subscribed", flat=True).first()
    if consent is not None:
        return consent, "plugin"
    marketable = context.host.is_marketable(context.user_id)
    if marketable is not None:
        return bool(marketable), "host"
    return True, "default"


def is_subscribed(context):
    """Whether marketing e-mail may go to the learner (``email.send`` asks the same question)."""
    return subscription(context)[0]


def points_balance(user_id, course_key=None):
    """The learner's points: the sum of the ledger, or of the entries of one course."""
    entries = PointsEntry.objects.filter(user_id=user_id)
    if course_key:
        entries = entries.filter(course_key=course_key)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


class LearnerFieldCondition(Condition):
    key = "learner.field"
    label = "Learner field"
    category = "Learner"
    description = ("Compares a profile field from the LMS (username, email, name, first_name, last_name, language, "
                   "country, date_joined, last_login) or, for any other name, a learner field the plugin keeps "
                   "(set by field.set), else the LMS's extended profile field of that name (custom registration "
                   "fields). A field never set is empty (see is_set). Dates compare with before, after and "
                   "within_last.")
    params_schema = compared_params(("field",), field=NAME)

    def evaluate(self, params, context):
        field = params["field"]
        if field in PROFILE_FIELDS:
            observed = context.learner.get(field)
        else:
            observed = LearnerField.objects.filter(user_id=context.user_id, name=field).values_list(
                "value", flat=True).first()
            if observed is None:
                observed = (context.learner.get("profile_fields") or {}).get(field)
        return compare(observed, params["op"], params.get("value"), now=context.now), observed


class LearnerHasTag(Condition):
    key = "learner.has_tag"
    label = "Has a tag"
    category = "Learner"
    description = ("Whether the learner carries a tag. match=exact (the default) needs the tag exactly, "
                   "case included; match=partial accepts any tag containing the text, ignoring case.")
    params_schema = params(("tag",), tag={"type": "string", "minLength": 1, "maxLength": 100},
                           match={"type": "string", "enum": ["exact", "partial"]})

    def evaluate(self, params, context):
        tags = LearnerTag.objects.filter(user_id=context.user_id)
        if params.get("match", "exact") == "partial":
            tags = tags.filter(tag__icontains=params["tag"])
        else:
            # MySQL/MariaDB's default collation compares case-insensitively: the exact match is
            # finished in Python so that "VIP" and "vip" differ on every database.
            exact = [tag for tag in tags.filter(tag__iexact=params["tag"]).values_list("tag", flat=True)
                     if tag == params["tag"]]
            return bool(exact), exact
        found = list(tags.order_by("tag").values_list("tag", flat=True)[:SHOWN_TAGS])
        return bool(found), found


class LearnerInList(Condition):
    key = "learner.in_list"
    label = "Is in a list"
    category = "Learner"
    description = "Whether the learner is a member of a list, named by its slug."
    params_schema = params(("list",), list=SLUG)

    def evaluate(self, params, context):
        member = ListMembership.objects.filter(user_id=context.user_id, learner_list__slug=params["list"]).exists()
        return member, member


class LearnerSubscribed(Condition):
    key = "learner.subscribed"
    label = "Accepts marketing e-mail"
    category = "Learner"
    description = ("Whether the learner accepts marketing e-mail: their choice recorded by the plugin (unsubscribe "
                   "link, admin) first, then the LMS's is_marketable attribute; a learner with neither is "
                   "subscribed.")
    params_schema = params()

    def evaluate(self, params, context):
        subscribed, source = subscription(context)
        return subscribed, source


class LearnerPoints(Condition):
    key = "learner.points"
    label = "Points balance"
    category = "Learner"
    description = ("Compares the learner's points balance (the sum of every award and deduction), or with "
                   "course_key only the points given for that course.")
    params_schema = params(("op", "value"), op=NUMERIC_OP, value={"type": "number"}, course_key=COURSE_KEY)

    def evaluate(self, params, context):
        course_key = rendered_course_key(params) if "course_key" in params else None
        balance = points_balance(context.user_id, course_key)
        return compare(balance, params["op"], params["value"], now=context.now), balance


#: The username prefix Open edX gives a retired account (the LMS's RETIRED_USERNAME_PREFIX default).
RETIRED_USERNAME_PREFIX = "retired__user_"
ACCOUNT_STATUSES = ("active", "inactive", "retired")


def account_status(learner):
    """``retired`` (the LMS retired the account: its username was replaced), ``inactive`` (never
    activated, or deactivated by staff) or ``active``; a learner the host no longer has is retired."""
    from django.conf import settings  # pylint: disable=import-outside-toplevel

    prefix = getattr(settings, "RETIRED_USERNAME_PREFIX", RETIRED_USERNAME_PREFIX)
    if not learner or not learner.get("username") or str(learner["username"]).startswith(prefix):
        return "retired"
    return "active" if learner.get("is_active", True) else "inactive"


class LearnerAccountStatus(Condition):
    key = "learner.account_status"
    label = "Account status"
    category = "Learner"
    description = ("Whether the learner's account is active, inactive (not activated from the e-mail yet, or "
                   "deactivated) or retired (the learner asked for their account to be deleted).")
    params_schema = params(("statuses",), statuses={
        "type": "array", "minItems": 1, "uniqueItems": True,
        "items": {"type": "string", "enum": list(ACCOUNT_STATUSES)},
        "description": "any of active, inactive, retired"})

    def evaluate(self, params, context):
        learner = context.host.get_learner(context.user_id)
        status = account_status(learner)
        return status in params["statuses"], status
