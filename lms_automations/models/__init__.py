"""The plugin's models: definitions, events, runs, learner data and last-known host state."""
from .automation import Automation, ExitCondition, Step, TestLearner, Trigger
from .events import CustomEventType, Event, LearnerDispatchLock, PeriodicScan
from .host_state import LearnerCourseState
from .learner_data import LearnerField, LearnerList, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from .runs import ActionExecution, EntryRefusal, LearnerEntry, Run, RunLog, RunWake

__all__ = [
    "ActionExecution",
    "Automation",
    "CustomEventType",
    "EntryRefusal",
    "Event",
    "ExitCondition",
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
    "Run",
    "RunLog",
    "RunWake",
    "Step",
    "TestLearner",
    "Trigger",
]
