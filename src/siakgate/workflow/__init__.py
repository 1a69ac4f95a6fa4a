"""The gateway's workflow: service profiles as data, one engine, durable transitions.

``Workflow`` (:mod:`siakgate.workflow.engine`) is what the REST API calls; ``Actor`` is the caller;
the views are what it answers; ``State`` lists the application states; a ``TransitionListener``
(:mod:`siakgate.workflow.pipeline`) is what reacts to its transitions in their own transaction.
"""

from siakgate.workflow.access import ADMIN_ROLE, Actor
from siakgate.workflow.context import SiakApi, TteBlockFactory
from siakgate.workflow.engine import Workflow
from siakgate.workflow.pipeline import Pipeline, TransitionListener
from siakgate.workflow.states import JobKind, JobState, State
from siakgate.workflow.views import (
    ApplicationView,
    BatchItemView,
    BatchView,
    CollectionView,
    DocumentView,
    PrintListEntry,
    PublicVerification,
    TimelineEntry,
)

__all__ = [
    "ADMIN_ROLE",
    "Actor",
    "ApplicationView",
    "BatchItemView",
    "BatchView",
    "CollectionView",
    "DocumentView",
    "JobKind",
    "JobState",
    "Pipeline",
    "PrintListEntry",
    "PublicVerification",
    "SiakApi",
    "State",
    "TimelineEntry",
    "TransitionListener",
    "TteBlockFactory",
    "Workflow",
]
