"""Exactly once at any latency: an administrator's retry, leases that outlast slow work, and signing batches.

Each case reproduces what an operator found against ``make run`` (issue 9): a retried data entry whose
first answer was lost made a second SIAK request; jobs and signing batches whose lease ran out while
SIAK or BSrE were slow were run twice by another worker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import anyio
import pytest
from sqlalchemy import select, update
from workflow_kit import (
    Clock,
    actor,
    drive,
    make_workflow,
    new_application,
    p12,
    passphrase,
    settle,
    siak_stats,
)

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.errors import ActionNotAllowedError
from siakgate.siak import SiakClient
from siakgate.signing import Credential, SigningBackend, SigningOptions, SignRequest, SignResult
from siakgate.store import Database, DocumentStore
from siakgate.store.models import ApplicationDocument, Job, SigningBatch, SigningSend
from siakgate.workflow import State, Workflow
from siakgate.workflow.profiles import Role

pytestmark = pytest.mark.anyio

APPLICANT = actor(Role.PEMOHON)
ADMIN = actor("ADMIN")
KEPALA_DINAS = actor(Role.KEPALA_DINAS)


async def _new(workflow: Workflow) -> str:
    """An application whose file the counter found complete: its SIAK jobs are next."""
    app_id = await new_application(workflow)
    await workflow.act(app_id, actor(Role.PETUGAS_FO), "complete_physical")
    return app_id


async def test_an_admin_retry_after_a_lost_answer_makes_no_second_siak_request(
    database: Database,
    document_store: DocumentStore,
    siak: SiakClient,
    clock: Clock,
    profiles: dict[str, object],
    mock_siak: MockService,
    mock_siak_faults: FaultInjector,
) -> None:
    workflow = make_workflow(database, document_store, siak, clock, profiles, max_attempts=1)
    app_id = await _new(workflow)
    assert await workflow.run_pending() == 1  # the look-up
    before = siak_stats(mock_siak)["requests"]
    mock_siak_faults.configure(FaultConfig(script=["drop_after"]))  # SIAK enters the data, the answer is lost
    assert await workflow.run_pending() == 1
    failed = await workflow.get(app_id, ADMIN)
    assert failed.state == State.GANGGUAN
    assert siak_stats(mock_siak)["requests"] == before + 1

    await workflow.act(app_id, ADMIN, "retry")
    await settle(workflow)
    view = await workflow.get(app_id, ADMIN)
    assert view.state == State.MENUNGGU_VERIFIKASI
    assert view.siak_request_no is not None
    assert siak_stats(mock_siak)["requests"] == before + 1  # SIAK answered the first request again


class SlowSigner:
    """A signing backend that takes its time (BSrE under load) and counts what it is asked to sign."""

    def __init__(self, inner: SigningBackend, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.asked: Counter[str] = Counter()
        self.started = anyio.Event()
        self.during: list[object] = []

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential, options: SigningOptions
    ) -> list[SignResult]:
        self.asked.update(r.document_id for r in requests)
        self.started.set()
        await anyio.sleep(self.seconds)
        return await self.inner.sign_batch(requests, credential, options)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def _batch_of(workflow: Workflow, n: int) -> tuple[list[str], str]:
    ids = [await _new(workflow) for _ in range(n)]
    for app_id in ids:
        await drive(workflow, app_id, until={State.MENUNGGU_TTE})
    batch = await workflow.create_signing_batch(KEPALA_DINAS, ids)
    return ids, batch.id


async def test_a_second_sign_call_while_one_runs_is_refused_and_bsre_signs_each_kk_once(
    database: Database, document_store: DocumentStore, siak: SiakClient, clock: Clock, profiles: dict[str, object]
) -> None:
    slow = SlowSigner(p12("kepala-dinas"), seconds=3.0)
    workflow = make_workflow(database, document_store, siak, clock, profiles, signing=slow, lease=timedelta(seconds=1))
    ids, batch_id = await _batch_of(workflow, 3)
    refused: list[ActionNotAllowedError] = []

    async def second_call() -> None:
        await slow.started.wait()
        await anyio.sleep(2.0)  # past the first call's original lease: only its heartbeat keeps it
        with pytest.raises(ActionNotAllowedError) as caught:
            await workflow.sign_batch(batch_id, KEPALA_DINAS, passphrase("kepala-dinas"))
        refused.append(caught.value)

    async with anyio.create_task_group() as group:
        group.start_soon(second_call)
        signed = await workflow.sign_batch(batch_id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert [e.code for e in refused] == ["BATCH_SEDANG_DITANDATANGANI"]
    assert signed.state == "DONE"
    assert slow.asked == Counter(ids)  # BSrE asked once per KK

    again = await workflow.sign_batch(batch_id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert again.state == "DONE"
    assert slow.asked == Counter(ids)  # a signed batch is never sent again
    with database.unit_of_work() as session:
        sends = session.scalars(select(SigningSend).where(SigningSend.batch_id == batch_id)).all()
        assert sorted(s.application_id for s in sends) == sorted(ids)
        assert {s.outcome for s in sends} == {"SIGNED"}
        assert all(len(s.document_sha256) == 64 for s in sends)


async def test_a_stale_holder_stores_nothing_and_is_told_so(
    database: Database, document_store: DocumentStore, siak: SiakClient, clock: Clock, profiles: dict[str, object]
) -> None:
    slow = SlowSigner(p12("kepala-dinas"), seconds=1.0)
    workflow = make_workflow(database, document_store, siak, clock, profiles, signing=slow)
    ids, batch_id = await _batch_of(workflow, 2)

    async def take_over() -> None:  # another gateway takes the batch while BSrE signs (its lease ran out)
        await slow.started.wait()
        with database.unit_of_work() as session:
            session.execute(
                update(SigningBatch).where(SigningBatch.id == batch_id).values(locked_by="another-gateway#1")
            )

    stored_before = set(document_store.root.rglob("*"))
    refused: list[ActionNotAllowedError] = []

    async def sign() -> None:
        with pytest.raises(ActionNotAllowedError) as caught:
            await workflow.sign_batch(batch_id, KEPALA_DINAS, passphrase("kepala-dinas"))
        refused.append(caught.value)

    async with anyio.create_task_group() as group:
        group.start_soon(take_over)
        group.start_soon(sign)
    assert [e.code for e in refused] == ["BATCH_SEDANG_DITANDATANGANI"]
    assert set(document_store.root.rglob("*")) == stored_before  # no orphan signed PDF
    with database.unit_of_work() as session:
        signed_docs = session.scalars(select(ApplicationDocument).where(ApplicationDocument.kind == "SIGNED_KK"))
        assert list(signed_docs) == []
        sends = session.scalars(select(SigningSend).where(SigningSend.batch_id == batch_id)).all()
        assert {s.outcome for s in sends} == {"DISCARDED"}
    for app_id in ids:
        assert (await workflow.get(app_id, ADMIN)).state == State.MENUNGGU_TTE


async def test_three_workers_with_a_short_lease_and_slow_siak_run_every_job_once(
    database: Database,
    document_store: DocumentStore,
    siak: SiakClient,
    clock: Clock,
    profiles: dict[str, object],
    mock_siak: MockService,
    mock_siak_faults: FaultInjector,
) -> None:
    """Three gateways' workers on one database, a 2 s lease, SIAK answering in 700 ms: before leases
    were renewed, a worker holding 20 jobs lost most of them to the others and SIAK saw repeated
    state changes; now each job runs once and no application is set aside (GANGGUAN)."""
    workers = [
        make_workflow(
            Database.create(database.engine.url.render_as_string(hide_password=False)),
            document_store,
            siak,
            clock,
            profiles,
            lease=timedelta(seconds=2),
            worker_id=f"gateway-{n}",
        )
        for n in range(3)
    ]
    ids = [await _new(workers[0]) for _ in range(30)]
    mock_siak_faults.configure(FaultConfig(latency_ms=700))
    before = siak_stats(mock_siak)["requests"]

    async def work(workflow: Workflow) -> None:
        idle = 0
        while idle < 3:
            idle = idle + 1 if await workflow.run_pending() == 0 else 0
            await anyio.sleep(0.05)

    try:
        with anyio.fail_after(240):
            async with anyio.create_task_group() as group:
                for workflow in workers:
                    group.start_soon(work, workflow)
    finally:
        mock_siak_faults.configure(FaultConfig())
        for workflow in workers:
            workflow._deps.db.dispose()

    with database.unit_of_work() as session:
        jobs = session.scalars(select(Job).where(Job.application_id.in_(ids))).all()
        assert {(j.kind, j.state) for j in jobs} == {
            ("siak_lookup", "DONE"),
            ("siak_entry", "DONE"),
            ("siak_draft", "DONE"),
            ("request_certification", "DONE"),
        }
        assert all(j.attempts == 1 for j in jobs), Counter(j.attempts for j in jobs)
    observer = make_workflow(database, document_store, siak, clock, profiles)
    for app_id in ids:
        assert (await observer.get(app_id, ADMIN)).state == State.MENUNGGU_VERIFIKASI
    assert siak_stats(mock_siak)["requests"] == before + len(ids)  # one SIAK request per application
