"""The application states, the job kinds and which step kind waits in which state.

An application is always in exactly one state; the states are stable strings (APIs and dashboards
filter on them)::

    MENUNGGU_KELENGKAPAN ──complete──▶ (next step)        a CHECK step: a person checks the file
            │ incomplete(missing)
            ▼
    DIKEMBALIKAN ──resubmit──▶ the step it was returned from (the file or the data is fixed)
    DIPROSES_SIAK                       an automatic step: a Job calls SIAK (or archives)
    MENUNGGU_KONFIRMASI_PEMOHON ──confirm──▶ next | ──correct(reason)──▶ DIKEMBALIKAN
    MENUNGGU_VERIFIKASI ──approve──▶ DIPROSES_SIAK (SimpanVerifikasi) ──▶ next
                        ──reject(reason)──▶ DITOLAK ──resubmit──▶ data entry again (a new SIAK request)
    MENUNGGU_PENGANTAR                  kecamatan: waiting to be collected under a cover letter (Sekcam)
    MENUNGGU_TTE ──signed in a batch──▶ DIPROSES_SIAK (UnggahKKTertandatangan) ──▶ next
    MENUNGGU_CETAK ──printed──▶ DIPROSES_SIAK (TandaiTercetak) ──▶ next
    MENUNGGU_PENYERAHAN ──delivered──▶ next
    SELESAI                             the last step is done (terminal)
    GANGGUAN                            an automatic step failed for good; ``retry`` (admin) queues it again

A returned (DIKEMBALIKAN) or rejected (DITOLAK) application is not terminal: the calling system
resubmits it (with corrected data where needed). Resubmitting data after SIAK already holds a request
starts a new *round*: new jobs and a new SIAK client request id, since SIAK cannot amend a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from siakgate.workflow.profiles import StepKind

__all__ = [
    "ACTIONS",
    "AUTOMATIC_KINDS",
    "STATE_OF_KIND",
    "STEP_BEHAVIOURS",
    "TERMINAL_STATES",
    "BatchItemState",
    "BatchState",
    "CollectionState",
    "JobKind",
    "JobState",
    "SendOutcome",
    "State",
    "StepBehaviour",
]


class State(StrEnum):
    MENUNGGU_KELENGKAPAN = "MENUNGGU_KELENGKAPAN"
    DIKEMBALIKAN = "DIKEMBALIKAN"
    DIPROSES_SIAK = "DIPROSES_SIAK"
    MENUNGGU_KONFIRMASI_PEMOHON = "MENUNGGU_KONFIRMASI_PEMOHON"
    MENUNGGU_VERIFIKASI = "MENUNGGU_VERIFIKASI"
    DITOLAK = "DITOLAK"
    MENUNGGU_PENGANTAR = "MENUNGGU_PENGANTAR"
    MENUNGGU_TTE = "MENUNGGU_TTE"
    MENUNGGU_CETAK = "MENUNGGU_CETAK"
    MENUNGGU_PENYERAHAN = "MENUNGGU_PENYERAHAN"
    SELESAI = "SELESAI"
    GANGGUAN = "GANGGUAN"


TERMINAL_STATES = frozenset({State.SELESAI})


class JobKind(StrEnum):
    """What a Job does; the automatic step kinds plus the SIAK calls that follow a person's action."""

    SIAK_LOOKUP = "siak_lookup"
    SIAK_ENTRY = "siak_entry"
    SIAK_DRAFT = "siak_draft"
    REQUEST_CERTIFICATION = "request_certification"
    ARCHIVE = "archive"
    VERIFY_APPROVE = "verify_approve"  # SimpanVerifikasi SETUJU, then the KK to sign is fetched
    VERIFY_REJECT = "verify_reject"  # SimpanVerifikasi TOLAK (the application is already DITOLAK)
    UPLOAD_SIGNED = "upload_signed"  # UnggahKKTertandatangan
    MARK_PRINTED = "mark_printed"  # TandaiTercetak


@dataclass(frozen=True)
class StepBehaviour:
    """What the engine does for one step kind: the state an application waits in while the step is
    current, the job that entering it queues (automatic steps), and the actions a person may take."""

    state: State
    job: JobKind | None = None
    actions: tuple[str, ...] = ()

    @property
    def automatic(self) -> bool:
        return self.job is not None


STEP_BEHAVIOURS: Final[dict[StepKind, StepBehaviour]] = {
    StepKind.CHECK: StepBehaviour(State.MENUNGGU_KELENGKAPAN, actions=("complete", "complete_physical", "incomplete")),
    StepKind.SIAK_LOOKUP: StepBehaviour(State.DIPROSES_SIAK, job=JobKind.SIAK_LOOKUP),
    StepKind.SIAK_ENTRY: StepBehaviour(State.DIPROSES_SIAK, job=JobKind.SIAK_ENTRY),
    StepKind.SIAK_DRAFT: StepBehaviour(State.DIPROSES_SIAK, job=JobKind.SIAK_DRAFT),
    StepKind.APPLICANT_CONFIRM: StepBehaviour(State.MENUNGGU_KONFIRMASI_PEMOHON, actions=("confirm", "correct")),
    StepKind.REQUEST_CERTIFICATION: StepBehaviour(State.DIPROSES_SIAK, job=JobKind.REQUEST_CERTIFICATION),
    StepKind.VERIFY: StepBehaviour(State.MENUNGGU_VERIFIKASI, actions=("approve", "reject")),
    StepKind.SIGN: StepBehaviour(State.MENUNGGU_TTE),  # through signing batches, not an action
    StepKind.COVER_LETTER: StepBehaviour(State.MENUNGGU_PENGANTAR),  # through kecamatan collections
    StepKind.PRINT: StepBehaviour(State.MENUNGGU_CETAK, actions=("printed",)),
    StepKind.DELIVER: StepBehaviour(State.MENUNGGU_PENYERAHAN, actions=("delivered",)),
    StepKind.ARCHIVE: StepBehaviour(State.DIPROSES_SIAK, job=JobKind.ARCHIVE),
}
"""The step half of the behaviour registry (the job half is :data:`siakgate.workflow.jobs.HANDLERS`);
:func:`siakgate.workflow.registry.check_behaviours` checks both against the profiles at start-up."""

STATE_OF_KIND: Final[dict[StepKind, State]] = {kind: b.state for kind, b in STEP_BEHAVIOURS.items()}
AUTOMATIC_KINDS: Final = frozenset(kind for kind, b in STEP_BEHAVIOURS.items() if b.automatic)
"""Step kinds that no person performs: entering them queues a Job."""

ACTIONS: Final[dict[State, tuple[str, ...]]] = {
    **{b.state: b.actions for b in STEP_BEHAVIOURS.values() if b.actions},
    State.DIKEMBALIKAN: ("resubmit",),
    State.DITOLAK: ("resubmit",),
    State.GANGGUAN: ("retry",),
}
"""Which actions each state accepts (the person steps' actions, then resubmission and an admin's retry)."""


class JobState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class BatchState(StrEnum):
    """A signing batch: PENDING (to sign), SIGNING (a sign call holds its lease), DONE (every item signed)."""

    PENDING = "PENDING"
    SIGNING = "SIGNING"
    DONE = "DONE"


class BatchItemState(StrEnum):
    """One KK in a signing batch; a FAILED item may be signed again."""

    PENDING = "PENDING"
    SIGNED = "SIGNED"
    FAILED = "FAILED"


class SendOutcome(StrEnum):
    """What became of a document handed to the signing service (``signing_sends.outcome``)."""

    SIGNED = "SIGNED"
    FAILED = "FAILED"
    DISCARDED = "DISCARDED"
    """Signed by a call that had lost the batch's lease: not stored, the current holder's result counts."""


class CollectionState(StrEnum):
    """A kecamatan collection: OPEN (collecting, cover letter drafted), SIGNED (by the Sekcam), SUBMITTED."""

    OPEN = "OPEN"
    SIGNED = "SIGNED"
    SUBMITTED = "SUBMITTED"
