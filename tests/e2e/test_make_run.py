"""`make run` as a new user meets it: both mocks and the gateway start, answer, say where they are (with a demo
API token that works), and stop on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_starts_the_mocks_and_the_gateway_and_stops_them(tmp_path: Path) -> None:
    siak_port, bsre_port, gateway_port = free_port(), free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SIAKGATE_")},
        "MOCK_SIAK_PORT": str(siak_port),
        "MOCK_BSRE_PORT": str(bsre_port),
        "GATEWAY_PORT": str(gateway_port),
        "SIAKGATE_STATE_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "scripts/run.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 90
            while b"Data tersimpan di" not in log.read_bytes():
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            siak = httpx.get(f"http://127.0.0.1:{siak_port}/healthz").json()
            bsre = httpx.get(f"http://127.0.0.1:{bsre_port}/healthz").json()
            assert siak["service"] == "mock_siak"
            assert bsre["service"] == "mock_bsre"
            wsdl = httpx.get(f"http://127.0.0.1:{siak_port}/siak?wsdl")
            assert wsdl.status_code == 200
            assert b"definitions" in wsdl.content
            gateway = f"http://127.0.0.1:{gateway_port}"
            assert httpx.get(f"{gateway}/healthz").json()["status"] == "ok"
            ready = httpx.get(f"{gateway}/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": True, "siak": True, "bsre": True}
            token = re.search(r"token API demo \(semua peran; hanya ditampilkan sekali\): (sgt_\S+)", log.read_text())
            assert token is not None, log.read_text()
            listed = httpx.get(f"{gateway}/v1/applications", headers={"Authorization": f"Bearer {token.group(1)}"})
            assert listed.status_code == 200
            assert listed.json() == []
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    banner = log.read_text()
    assert f"127.0.0.1:{siak_port}/siak?wsdl" in banner
    assert f"127.0.0.1:{bsre_port}/api/" in banner
    assert (tmp_path / "mock_siak").is_dir()
    assert (tmp_path / "siakgate" / "siakgate.db").is_file()
    assert f"127.0.0.1:{gateway_port}/readyz" in banner
    for port in (siak_port, bsre_port, gateway_port):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, "a mock outlived make run"


def test_run_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "MOCK_SIAK_PORT": str(port), "SIAKGATE_STATE_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "scripts/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert f"Port sudah dipakai: mock SIAK (127.0.0.1:{port})" in result.stdout
