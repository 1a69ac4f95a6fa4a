"""The behaviour registry is complete for every profile, and a gap is refused at start-up, not at run time."""

from __future__ import annotations

import pytest

from siakgate.errors import ProfileError
from siakgate.workflow.jobs import HANDLERS
from siakgate.workflow.profiles import ServiceProfile, StepKind
from siakgate.workflow.registry import check_behaviours
from siakgate.workflow.states import ACTIONS, AUTOMATIC_KINDS, STEP_BEHAVIOURS, JobKind, State


def test_every_step_kind_and_job_kind_has_its_behaviour(profiles: dict[str, ServiceProfile]) -> None:
    assert set(STEP_BEHAVIOURS) == set(StepKind)
    assert set(HANDLERS) == set(JobKind)
    check_behaviours(profiles)  # the bundled profiles start


def test_the_derived_tables_agree_with_the_registry() -> None:
    assert {kind for kind, b in STEP_BEHAVIOURS.items() if b.job is not None} == AUTOMATIC_KINDS
    assert ACTIONS[State.MENUNGGU_VERIFIKASI] == ("approve", "reject")
    assert ACTIONS[State.GANGGUAN] == ("retry",)
    assert all(STEP_BEHAVIOURS[kind].state is State.DIPROSES_SIAK for kind in AUTOMATIC_KINDS)


def test_a_job_kind_without_a_handler_is_refused(profiles: dict[str, ServiceProfile]) -> None:
    handlers = {kind: h for kind, h in HANDLERS.items() if kind is not JobKind.UPLOAD_SIGNED}
    with pytest.raises(ProfileError, match="upload_signed"):
        check_behaviours(profiles, handlers=handlers)


def test_a_step_kind_without_a_behaviour_is_refused_naming_the_profile(profiles: dict[str, ServiceProfile]) -> None:
    steps = {kind: b for kind, b in STEP_BEHAVIOURS.items() if kind is not StepKind.PRINT}
    with pytest.raises(ProfileError, match=r"langkah .*'print'"):
        check_behaviours(profiles, steps=steps)
