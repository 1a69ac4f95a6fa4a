"""A delivery worker killed (SIGKILL) mid-delivery: after the restart every message arrives, once per id.

The worker runs as a subprocess (``python -m siakgate.notify``) against the test database. The receiver
accepts the messages and then hangs, so the worker is killed after the bridge took them but before it
heard back: the worst moment. The restarted worker takes the messages over once their lease has run out
and sends them again with the same ids; the receiver drops the repeats.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from notify_kit import SECRET, Receiver, add_message, message, running_receiver, wait_until

from siakgate.notify import MessageState
from siakgate.store import Database

LEASE_SECONDS = 3.0


def start_worker(database_url: str, url: str, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SIAKGATE_DATABASE_URL": database_url,
        "SIAKGATE_STATE_DIR": str(cwd),
        "SIAKGATE_NOTIFY__WHATSAPP_URL": url,
        "SIAKGATE_NOTIFY__WEBHOOK_SECRET": SECRET.decode(),
        "SIAKGATE_NOTIFY__TIMEOUT_SECONDS": "2",
        "SIAKGATE_NOTIFY__LEASE_SECONDS": str(LEASE_SECONDS),
        "SIAKGATE_NOTIFY__INTERVAL": "0.1",
    }
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "siakgate.notify"], cwd=cwd, env=env, stdout=out, stderr=out)


def test_killed_mid_delivery_then_restarted(database: Database, database_url: str, tmp_path: Path) -> None:
    ids = [add_message(database, text=f"Pesan uji {n}.") for n in range(2)]
    receiver = Receiver()
    receiver.hang.set()
    log = tmp_path / "worker.log"
    with running_receiver(receiver):
        first = start_worker(database_url, receiver.url, tmp_path, log)
        try:
            wait_until(lambda: set(receiver.processed) == set(ids), what="the bridge to take both messages")
            assert {message(database, i).state for i in ids} == {MessageState.SENDING}
        finally:
            first.kill()  # SIGKILL: no cleanup, no outcome recorded
            first.wait(timeout=10)
        assert {message(database, i).state for i in ids} == {MessageState.SENDING}
        receiver.hang.clear()
        receiver.release.set()

        second = start_worker(database_url, receiver.url, tmp_path, log)
        try:
            wait_until(
                lambda: all(message(database, i).state == MessageState.SENT for i in ids),
                timeout=LEASE_SECONDS + 30,
                what="delivery after the restart",
            )
        finally:
            second.terminate()
            second.wait(timeout=10)

    assert sorted(receiver.ids()) == sorted(ids + ids)  # each sent again after the crash, with its own id
    assert receiver.processed == {i: 1 for i in ids}  # and processed once per id
    assert all(r.signature_ok for r in receiver.requests)
    assert {message(database, i).attempts for i in ids} == {2}
    worker_log = log.read_text()
    assert "notification sent" in worker_log
    assert "081234567890" not in worker_log  # the phone number is only ever logged masked
