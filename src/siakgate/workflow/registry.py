"""The behaviour registry, checked when the gateway starts: no profile step or job without its behaviour.

Two tables say what the engine does: :data:`~siakgate.workflow.states.STEP_BEHAVIOURS` (per step kind:
its state, whether it is automatic and which job it queues, the actions a person may take) and
:data:`~siakgate.workflow.jobs.HANDLERS` (per job kind: the work, whether it is measured, what a SIAK
refusal means). :func:`check_behaviours` refuses a profile whose step kind has no behaviour, or a job
kind without a handler, with a :class:`~siakgate.errors.ProfileError` at start-up, instead of a
``KeyError`` retried as transient and ending in GANGGUAN at run time.
"""

from __future__ import annotations

from collections.abc import Mapping

from siakgate.errors import ProfileError
from siakgate.workflow.jobs import HANDLERS, JobHandler
from siakgate.workflow.profiles import ServiceProfile, StepKind
from siakgate.workflow.states import STEP_BEHAVIOURS, JobKind, StepBehaviour

__all__ = ["check_behaviours"]


def check_behaviours(
    profiles: Mapping[str, ServiceProfile],
    *,
    steps: Mapping[StepKind, StepBehaviour] = STEP_BEHAVIOURS,
    handlers: Mapping[JobKind, JobHandler] = HANDLERS,
) -> None:
    """Raise :class:`ProfileError` naming the first step kind or job kind the engine cannot run."""
    missing_jobs = [kind for kind in JobKind if kind not in handlers]
    if missing_jobs:
        raise ProfileError(f"Jenis tugas {', '.join(missing_jobs)} tidak punya penangan di mesin alur kerja.")
    for profile in profiles.values():
        for step in profile.steps:
            behaviour = steps.get(step.kind)
            if behaviour is None:
                raise ProfileError(
                    f"Profil {profile.id!r}, langkah {step.id!r}: jenis langkah {step.kind.value!r} "
                    "tidak dikenal mesin alur kerja."
                )
            if behaviour.job is not None and behaviour.job not in handlers:
                raise ProfileError(
                    f"Profil {profile.id!r}, langkah {step.id!r}: tugas otomatis {behaviour.job.value!r} "
                    "tidak punya penangan."
                )
