"""`make run` (scripts/run.py) stops on Ctrl-C the way a user expects: one Ctrl-C stops every service with exit
code 0 and one Indonesian line, a second Ctrl-C while stopping ends cleanly too (no traceback, no "Berhenti tanpa
diminta"), and a second run still says how to sign in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
READY = "Layanan pengembangan siakgate berjalan"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tmp_path: Path, ports: tuple[int, int, int]) -> subprocess.Popen[str]:
    siak, bsre, gateway = ports
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SIAKGATE_")},
        "MOCK_SIAK_PORT": str(siak),
        "MOCK_BSRE_PORT": str(bsre),
        "GATEWAY_PORT": str(gateway),
        "GATEWAY_WORKERS": "1",
        "SIAKGATE_STATE_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    # Its own process group, as a terminal's foreground job: Ctrl-C goes to the whole group (run.py puts the
    # services it starts in groups of their own and stops them itself).
    return subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def read_until(proc: subprocess.Popen[str], marker: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            return
    raise AssertionError(f"{marker!r} never came:\n{''.join(seen)}")


def ctrl_c(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGINT)


def finish(proc: subprocess.Popen[str], seen: list[str]) -> str:
    assert proc.stdout is not None
    seen.extend(proc.stdout)
    proc.stdout.close()
    proc.wait(timeout=60)
    return "".join(seen)


def test_one_ctrl_c_then_on_a_second_run_two_ctrl_c_stop_everything_cleanly(tmp_path: Path) -> None:
    ports = (free_port(), free_port(), free_port())
    siak, _, gateway = ports

    first = start(tmp_path, ports)
    seen: list[str] = []
    read_until(first, READY, seen)
    read_until(first, "Data tersimpan di", seen)  # the whole banner is out
    ctrl_c(first)
    output = finish(first, seen)
    assert first.returncode == 0, output
    assert "Ctrl-C diterima: menghentikan gateway, mock BSrE dan mock SIAK" in output
    assert "Semua layanan siakgate sudah berhenti." in output
    assert "Berhenti tanpa diminta" not in output
    assert "Traceback" not in output
    assert "baru dibuat" in output
    assert f"--siak-url http://127.0.0.1:{siak}" in output
    assert f"--gateway http://127.0.0.1:{gateway}" in output
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, "a service outlived make run"

    second = start(tmp_path, ports)
    seen = []
    read_until(second, "Data tersimpan di", seen)
    ctrl_c(second)
    read_until(second, "Ctrl-C diterima", seen)
    ctrl_c(second)
    output = finish(second, seen)
    assert second.returncode == 0, output
    assert "Semua layanan siakgate sudah berhenti." in output
    assert "Berhenti tanpa diminta" not in output
    assert "Traceback" not in output
    assert output.count("sudah ada sejak make run sebelumnya") == 2  # the accounts were kept ...
    assert f"http://127.0.0.1:{gateway}/ws/" in output  # ... and the banner still says how to sign in
    signs_in = [line.split() for line in output.splitlines() if "kata sandi demo-ws-2026   (" in line]
    assert [words[0] for words in signs_in] == ["kasi", "kepaladinas"]
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, "a service outlived make run"


def test_ctrl_c_while_starting_stops_cleanly(tmp_path: Path) -> None:
    proc = start(tmp_path, (free_port(), free_port(), free_port()))
    seen: list[str] = []
    read_until(proc, "mock_siak listening", seen)  # the mocks start; the gateway not yet
    ctrl_c(proc)
    output = finish(proc, seen)
    assert proc.returncode == 0, output
    assert "Ctrl-C diterima" in output
    assert "Semua layanan siakgate sudah berhenti." in output
    assert "Traceback" not in output
    assert "berhenti saat dijalankan" not in output
    assert "Layanan pengembangan siakgate berjalan" not in output
