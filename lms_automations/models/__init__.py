"""The plugin's models: definitions, events, runs, learner data and last-known host state."""
from .automation import Automation, ExitCondition, Step, TestLearner, Trigger
from .events import CustomEventType, Event, LearnerDispatchLock, PeriodicScan
from .host_state import LearnerCourseState
from .learner_data import LearnerField, LearnerList, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from .learners import Learner
from .retired_learner import RetiredLearner
from .runs import ActionExecution, EntryRefusal, LearnerEntry, Run, RunLog, RunWake

__all__ = [
    "ActionExecution",
    "Automation",
    "CustomEventType",
    "EntryRefusal",
    "Event",
    "ExitCondition",
    "Learner",
    "LearnerCourseState",
    "LearnerDispatchLock",
    "LearnerEntry",
    "LearnerField",
    "LearnerList",
    "LearnerTag",
    "ListMembership",
    "MarketingConsent",
    "PeriodicScan",
    "PointsEntry",
    "RetiredLearner",
    "Run",
    "RunLog",
    "RunWake",
    "Step",
    "TestLearner",
    "Trigger",
]
