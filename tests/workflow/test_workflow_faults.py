"""Failures: a wrong passphrase, SIAK's transient faults, and a worker that dies after SIAK answered."""

from __future__ import annotations

from typing import Any

import pytest
from workflow_kit import (
    Clock,
    actor,
    drive,
    make_workflow,
    new_application,
    passphrase,
    settle,
    siak_stats,
)

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.domain import CaseType, KartuKeluarga
from siakgate.errors import ActionNotAllowedError
from siakgate.siak import EntryResult, SiakClient
from siakgate.signing import Credential
from siakgate.store import Database, DocumentStore
from siakgate.workflow import State, Workflow
from siakgate.workflow.profiles import Role

pytestmark = pytest.mark.anyio

APPLICANT = actor(Role.PEMOHON)
ADMIN = actor("ADMIN")
KEPALA_DINAS = actor(Role.KEPALA_DINAS)


_new = new_application


async def test_wrong_passphrase_leaves_the_batch_waiting(workflow: Workflow) -> None:
    ids = [await _new(workflow), await _new(workflow)]
    for app_id in ids:
        await workflow.act(app_id, actor(Role.PETUGAS_FO), "complete_physical")
        await drive(workflow, app_id, until={State.MENUNGGU_TTE})
    batch = await workflow.create_signing_batch(KEPALA_DINAS, ids)
    with pytest.raises(ActionNotAllowedError):
        await workflow.create_signing_batch(KEPALA_DINAS, ids[:1])  # already in an unsigned batch

    wrong = Credential.passphrase("bukan-passphrase")
    failed = await workflow.sign_batch(batch.id, KEPALA_DINAS, wrong)
    assert wrong.wiped
    assert failed.state == "PENDING"
    assert {(i.state, i.error_code) for i in failed.items} == {("FAILED", "PASSPHRASE_SALAH")}
    for app_id in ids:
        view = await workflow.get(app_id, ADMIN)
        assert view.state == State.MENUNGGU_TTE
        assert "SIGNED_KK" not in {d.kind for d in view.documents}

    signed = await workflow.sign_batch(batch.id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert signed.state == "DONE"
    assert signed.signed == 2
    again = await workflow.sign_batch(batch.id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert [i.signed_sha256 for i in again.items] == [i.signed_sha256 for i in signed.items]
    await settle(workflow)
    for app_id in ids:
        view = await workflow.get(app_id, ADMIN)
        assert view.state == State.MENUNGGU_CETAK
        assert [d.kind for d in view.documents].count("SIGNED_KK") == 1  # signed once, never twice


async def test_transient_siak_faults_are_retried_by_the_worker(
    workflow: Workflow, clock: Clock, mock_siak_faults: FaultInjector
) -> None:
    app_id = await _new(workflow)
    await workflow.act(app_id, actor(Role.PETUGAS_FO), "complete_physical")
    assert await workflow.run_pending() == 1  # the look-up (a new family: nothing to ask SIAK)
    mock_siak_faults.configure(FaultConfig(script=["http_5xx", "http_5xx"]))
    assert await workflow.run_pending() == 1  # the data entry: 503
    view = await workflow.get(app_id, ADMIN)
    assert view.state == State.DIPROSES_SIAK
    assert view.last_error_code == "LAYANAN_TIDAK_TERSEDIA"
    assert await workflow.run_pending() == 0  # backing off
    clock.advance(seconds=6)
    assert await workflow.run_pending() == 1  # 503 again
    clock.advance(seconds=11)
    await settle(workflow)
    view = await workflow.get(app_id, ADMIN)
    assert view.state == State.MENUNGGU_VERIFIKASI
    assert view.last_error_code is None


class SimulatedCrash(BaseException):
    """The process dies: not an error the worker handles."""


class CrashAfterEntry:
    """A SiakClient whose data entry reaches SIAK and then the process "dies" before anything is recorded."""

    def __init__(self, inner: SiakClient) -> None:
        self._inner = inner
        self.entries: list[EntryResult] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def enter_family(
        self,
        client_request_id: str,
        case_type: CaseType,
        family: KartuKeluarga | None,
        no_kk: str | None = None,
        officer: str | None = None,
    ) -> EntryResult:
        result = await self._inner.enter_family(client_request_id, case_type, family, no_kk, officer)
        self.entries.append(result)
        raise SimulatedCrash


async def test_crash_after_the_siak_call_is_repaired_without_a_second_entry(
    database: Database,
    document_store: DocumentStore,
    siak: SiakClient,
    clock: Clock,
    profiles: dict[str, object],
    mock_siak: MockService,
) -> None:
    crashing = CrashAfterEntry(siak)
    first = make_workflow(database, document_store, crashing, clock, profiles)
    app_id = await _new(first, "lumajang-bca")
    await first.act(app_id, actor(Role.OPERATOR_WA), "complete_physical")
    before = siak_stats(mock_siak)["requests"]
    with pytest.raises(SimulatedCrash):
        await first.run_pending()
    assert siak_stats(mock_siak)["requests"] == before + 1
    view = await first.get(app_id, ADMIN)
    assert view.state == State.DIPROSES_SIAK
    assert view.siak_request_no is None

    restarted = make_workflow(database, document_store, siak, clock, profiles)
    assert await restarted.run_pending() == 0  # the dead worker's lease still holds
    clock.advance(minutes=6)
    await settle(restarted)
    view = await restarted.get(app_id, ADMIN)
    assert view.state == State.MENUNGGU_KONFIRMASI_PEMOHON
    assert view.siak_request_no == crashing.entries[0].no_permohonan  # SIAK answered the first request
    assert siak_stats(mock_siak)["requests"] == before + 1  # entered exactly once
