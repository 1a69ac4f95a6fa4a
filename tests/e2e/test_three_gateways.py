"""Three gateway processes on one PostgreSQL, a 2 s lease, SIAK answering in 700 ms: every job runs once.

Before leases were renewed, a worker claimed 20 jobs under one lease and ran them one after another;
with SIAK this slow the lease ran out and the other gateways took the same jobs again (78 lost leases,
36 repeated state-changing SIAK calls and 17 applications set aside in GANGGUAN in an operator's run).
Now each gateway claims one job at a time, renews its lease while SIAK works, and records an outcome
only while it still holds the lease: 30 applications driven through the three gateways at once end
SELESAI with one SIAK request, one upload and one signature each, and every job was run once.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from test_gateway_restart import NOW, ROOT, free_port, gateway, gateway_env

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.api.tokens import add_token
from siakgate.store.db import Database
from siakgate.store.models import ApplicationDocument, Job, SigningSend, TimelineEvent

sys.path.insert(0, str(ROOT / "tests" / "api"))
from api_kit import ALL_ROLES, drive, siak_sample, siak_stats

APPLICATIONS = 30


@pytest.fixture
def postgres_url(make_database_url: Any) -> str:
    url: str = make_database_url("postgresql", migrated=True)
    return url


def test_three_gateways_with_a_short_lease_and_slow_siak_do_every_job_once(
    postgres_url: str,
    tmp_path: Path,
    mock_siak: MockService,
    mock_bsre_aia: MockService,
    mock_siak_faults: FaultInjector,
) -> None:
    db = Database.create(postgres_url)
    try:
        token = asyncio.run(add_token(db, "three-gateways", [*ALL_ROLES, "ADMIN"], now=NOW()))
        ports = [free_port() for _ in range(3)]
        headers = {"Authorization": f"Bearer {token}"}
        families = siak_sample(mock_siak, APPLICATIONS)
        before = siak_stats(mock_siak)
        with ExitStack() as stack:
            for n, port in enumerate(ports):
                # One state directory: the gateways share the document store, as on a shared volume.
                env = gateway_env(postgres_url, tmp_path / "state", mock_siak, mock_bsre_aia, port)
                env["SIAKGATE_WORKER_LEASE_SECONDS"] = "2"
                # B-T: what is under test is the lease, not revocation evidence (B-LT signing under this load
                # still trips pyHanko's OCSP freshness check: issue 10).
                env["SIAKGATE_SIGNING__LEVEL"] = "B-T"
                stack.enter_context(gateway(env, port, tmp_path / f"gateway-{n}.log"))
            mock_siak_faults.configure(FaultConfig(latency_ms=700))

            def one(index: int) -> dict[str, Any]:
                no_kk = families[index]["NO_KK"]
                body = {"profile_id": "loket-desa", "case_type": "HILANG", "region_code": no_kk[:6] + "2001"}
                with httpx.Client(base_url=f"http://127.0.0.1:{ports[index % 3]}", timeout=60) as client:
                    created = client.post("/v1/applications", json={**body, "no_kk": no_kk}, headers=headers)
                    assert created.status_code == 201, created.text
                    return drive(client, headers, created.json()["id"], timeout=400)

            with ThreadPoolExecutor(max_workers=10) as pool:
                finals = list(pool.map(one, range(APPLICATIONS)))
            mock_siak_faults.configure(FaultConfig())
        after = siak_stats(mock_siak)

        ids = [final["id"] for final in finals]
        assert {final["state"] for final in finals} == {"SELESAI"}
        assert after["requests"] - before["requests"] == APPLICATIONS  # one SIAK request per application
        assert after["signed"] - before["signed"] == APPLICATIONS  # one signed KK uploaded per application
        with db.unit_of_work(read_only=True) as session:
            jobs = session.scalars(select(Job).where(Job.application_id.in_(ids))).all()
            assert {job.state for job in jobs} == {"DONE"}
            assert Counter(job.attempts for job in jobs) == Counter({1: len(jobs)})  # every job run once
            failed = session.scalars(
                select(TimelineEvent).where(TimelineEvent.application_id.in_(ids), TimelineEvent.outcome == "GANGGUAN")
            ).all()
            assert failed == []
            signed = Counter(
                session.scalars(
                    select(ApplicationDocument.application_id).where(
                        ApplicationDocument.application_id.in_(ids), ApplicationDocument.kind == "SIGNED_KK"
                    )
                )
            )
            assert signed == Counter(dict.fromkeys(ids, 1))
            sends = Counter(
                session.scalars(select(SigningSend.application_id).where(SigningSend.application_id.in_(ids)))
            )
            assert sends == Counter(dict.fromkeys(ids, 1))  # the signing service was asked once per KK
        logs = "".join((tmp_path / f"gateway-{n}.log").read_text() for n in range(3))
        assert "lease lost" not in logs
    finally:
        db.dispose()
