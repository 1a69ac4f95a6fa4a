"""The gateway killed (SIGKILL) in the middle of a flow and started again on the same database: the flow
completes with exactly one SIAK request and one signature: nothing lost, nothing done twice.

The gateway runs as a real subprocess (``python -m siakgate serve``) configured by environment variables,
on each database of the root conftest's ``database_url`` (SQLite file and PostgreSQL); the mocks are the
session's in-process fixtures (mock BSrE on the certificates' AIA port, for B-LT signing).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from mock_common.pytest_plugin import MockService
from siakgate.api.tokens import add_token
from siakgate.clock import Clock
from siakgate.store.db import Database

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "api"))
from api_kit import ALL_ROLES, drive, lost_kk_request, siak_stats  # noqa: E402

NOW = Clock()
"""Token times: the tests' clock is the system's."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_env(database_url: str, state_dir: Path, siak: MockService, bsre: MockService, port: int) -> dict[str, str]:
    """The environment of a gateway process on ``port``: this process's, less any ``SIAKGATE_*``, plus the
    database, the state directory, the session's mocks and the test PKI's root."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SIAKGATE_")},
        "SIAKGATE_DATABASE_URL": database_url,
        "SIAKGATE_STATE_DIR": str(state_dir),
        "SIAKGATE_SIAK__URL": siak.soap_url,
        "SIAKGATE_SIAK__USERNAME": siak.username,
        "SIAKGATE_SIAK__PASSWORD": siak.password,
        "SIAKGATE_BSRE__URL": bsre.url,
        "SIAKGATE_BSRE__USERNAME": bsre.username,
        "SIAKGATE_BSRE__PASSWORD": bsre.password,
        "SIAKGATE_TRUST_ROOTS": f'["{ROOT / "certs" / "root-ca.crt"}"]',
        "SIAKGATE_WORKER_INTERVAL": "0.1",
        "SIAKGATE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


@contextmanager
def gateway(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A gateway process; killed with SIGKILL (no graceful shutdown) when the block ends."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "siakgate", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def test_a_flow_survives_two_gateway_kills(
    database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> None:
    db = Database.create(database_url)
    try:
        token = asyncio.run(add_token(db, "restart-test", [*ALL_ROLES, "ADMIN"], now=NOW()))
    finally:
        db.dispose()
    port = free_port()
    env = gateway_env(database_url, tmp_path / "state", mock_siak, mock_bsre_aia, port)
    env["SIAKGATE_WORKER_LEASE_SECONDS"] = "3"  # a killed worker's claim expires soon
    headers = {"Authorization": f"Bearer {token}"}
    log = tmp_path / "gateway.log"
    before = siak_stats(mock_siak)
    base = f"http://127.0.0.1:{port}"

    def queued(view: dict[str, Any]) -> bool:
        return view["state"] == "DIPROSES_SIAK"

    with gateway(env, port, log), httpx.Client(base_url=base, timeout=30) as client:
        created = client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=headers)
        assert created.status_code == 201, created.text
        app_id = created.json()["id"]
        # Kill 1: right after a transition queued an automatic SIAK step (the job is durable, not yet run).
        middle = drive(client, headers, app_id, stop=queued)
        assert middle["state"] == "DIPROSES_SIAK"

    with gateway(env, port, log), httpx.Client(base_url=base, timeout=30) as client:
        # Kill 2: after the signature (the signed KK must be uploaded to SIAK exactly once).
        signed = drive(client, headers, app_id, stop=lambda view: view["state"] in ("MENUNGGU_CETAK", "SELESAI"))
        assert "SIGNED_KK" in {doc["kind"] for doc in signed["documents"]}

    with gateway(env, port, log), httpx.Client(base_url=base, timeout=30) as client:
        final = drive(client, headers, app_id)
        assert final["state"] == "SELESAI", final
        kinds = [doc["kind"] for doc in final["documents"]]
        assert kinds.count("SIGNED_KK") == 1
        # The draft is fetched again after verification (a new PDF); the same file is never recorded twice.
        recorded = [(doc["kind"], doc["sha256"]) for doc in final["documents"]]
        assert len(recorded) == len(set(recorded)), recorded
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text

    after = siak_stats(mock_siak)
    assert after["requests"] - before["requests"] == 1, (before, after)
    assert after["signed"] - before["signed"] == 1, (before, after)
    gateway_log = log.read_text()
    assert token not in gateway_log
    assert "Traceback" not in gateway_log or "KeyboardInterrupt" in gateway_log
