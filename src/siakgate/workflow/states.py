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

from enum import StrEnum

from siakgate.workflow.profiles import StepKind

__all__ = ["AUTOMATIC_KINDS", "STATE_OF_KIND", "TERMINAL_STATES", "JobKind", "JobState", "State"]


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

AUTOMATIC_KINDS = frozenset(
    {StepKind.SIAK_LOOKUP, StepKind.SIAK_ENTRY, StepKind.SIAK_DRAFT, StepKind.REQUEST_CERTIFICATION, StepKind.ARCHIVE}
)
"""Step kinds that no person performs: entering them queues a Job."""

STATE_OF_KIND: dict[StepKind, State] = {
    StepKind.CHECK: State.MENUNGGU_KELENGKAPAN,
    StepKind.SIAK_LOOKUP: State.DIPROSES_SIAK,
    StepKind.SIAK_ENTRY: State.DIPROSES_SIAK,
    StepKind.SIAK_DRAFT: State.DIPROSES_SIAK,
    StepKind.APPLICANT_CONFIRM: State.MENUNGGU_KONFIRMASI_PEMOHON,
    StepKind.REQUEST_CERTIFICATION: State.DIPROSES_SIAK,
    StepKind.VERIFY: State.MENUNGGU_VERIFIKASI,
    StepKind.SIGN: State.MENUNGGU_TTE,
    StepKind.COVER_LETTER: State.MENUNGGU_PENGANTAR,
    StepKind.PRINT: State.MENUNGGU_CETAK,
    StepKind.DELIVER: State.MENUNGGU_PENYERAHAN,
    StepKind.ARCHIVE: State.DIPROSES_SIAK,
}


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


class JobState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
