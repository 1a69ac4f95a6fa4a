"""The gateway waits for its database at start-up: one Indonesian line per attempt, ready once the database
answers, one clear line and exit code 1 when the bound is spent (siakgate.store.startup, siakgate.api.serving).

The PostgreSQL test starts the gateway on a port where nothing listens yet, then opens a TCP forwarder there to
the test server (outside ``unshare --net``: PostgreSQL is not reachable inside it)."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from sqlalchemy.engine import make_url

from siakgate.api import create_app
from siakgate.config import Settings
from siakgate.store import Database
from siakgate.store.startup import DatabaseUnreachableError, DatabaseWait, wait_for_database

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refused_url() -> str:
    """A PostgreSQL URL on a loopback port where nothing listens: every connection is refused at once."""
    return f"postgresql+psycopg://siakgate:rahasia-uji@127.0.0.1:{free_port()}/siakgate"


class Forwarder:
    """Listens on ``port`` (once :meth:`start` is called) and pipes each connection to ``target``."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self._server: socket.socket | None = None

    def start(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()


def gateway_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIAKGATE_")}
    return {
        **env,
        "SIAKGATE_STATE_DIR": str(tmp_path / "state"),
        "SIAKGATE_DATABASE_URL": database_url,
        **extra,
    }


def stderr_lines(proc: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The process's stderr, line by line (None at its end), read in a thread."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_the_wait_logs_each_attempt_and_gives_up_with_one_clear_error(caplog: pytest.LogCaptureFixture) -> None:
    db = Database.create(refused_url())
    slept: list[float] = []
    caplog.set_level(logging.WARNING, logger="siakgate.store")
    try:
        with pytest.raises(DatabaseUnreachableError) as raised:
            wait_for_database(db, DatabaseWait(attempts=4, first_seconds=1.0, max_seconds=3.0), sleep=slept.append)
    finally:
        db.dispose()
    assert slept == [1.0, 2.0, 3.0]  # doubling, capped by max_seconds
    attempts = [r.getMessage() for r in caplog.records if "belum dapat dihubungi" in r.getMessage()]
    assert [m.split(")")[0] for m in attempts] == [
        f"Basis data belum dapat dihubungi (percobaan {n}/4" for n in (1, 2, 3)
    ]
    assert "mencoba lagi dalam 2 dtk" in attempts[1]
    assert "Connection refused" in attempts[0]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback anywhere
    assert "setelah 4 percobaan" in raised.value.message
    assert raised.value.code == "BASIS_DATA_TIDAK_TERSEDIA"
    assert "rahasia-uji" not in caplog.text + raised.value.message  # the URL is logged with its password hidden


def test_a_reachable_database_is_not_waited_for(tmp_path: Path) -> None:
    db = Database.create(f"sqlite:///{tmp_path / 'siakgate.db'}")
    slept: list[float] = []
    try:
        wait_for_database(db, DatabaseWait(attempts=3), sleep=slept.append)
    finally:
        db.dispose()
    assert slept == []


def test_the_wait_bound_must_make_sense() -> None:
    with pytest.raises(ValueError, match="database_wait_attempts"):
        Settings(database_wait_attempts=0)
    with pytest.raises(ValueError, match="database_wait_first_seconds"):
        Settings(database_wait_first_seconds=0)


def test_the_apps_lifespan_waits_too_and_refuses_to_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``siakgate serve`` (one process, no supervisor) waits in the app's lifespan."""
    settings = Settings(
        state_dir=tmp_path,
        database_url=refused_url(),
        database_wait_attempts=2,
        database_wait_first_seconds=0.01,
    )
    caplog.set_level(logging.WARNING, logger="siakgate.store")
    app = create_app(settings)

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pytest.fail("the gateway started without its database")

    with pytest.raises(DatabaseUnreachableError):
        anyio.run(start)
    assert "Basis data belum dapat dihubungi (percobaan 1/2)" in caplog.text


def test_the_gateway_gives_up_with_one_clear_line_and_exit_code_1(tmp_path: Path) -> None:
    env = gateway_env(
        tmp_path,
        refused_url(),
        SIAKGATE_DATABASE_WAIT_ATTEMPTS="3",
        SIAKGATE_DATABASE_WAIT_FIRST_SECONDS="0.05",
    )
    cmd = [sys.executable, "-m", "siakgate.api.serving", "--workers", "2", "--port", str(free_port())]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert sum("Basis data belum dapat dihubungi (percobaan" in line for line in lines) == 2
    assert sum("Basis data tidak dapat dihubungi setelah 3 percobaan" in line for line in lines) == 1
    assert len(lines) == 3
    assert "Traceback" not in result.stderr
    assert "rahasia-uji" not in result.stderr


def test_siakgate_serve_gives_up_with_one_clear_line_too(tmp_path: Path) -> None:
    """``siakgate serve`` waits before uvicorn starts: no uvicorn traceback at the bound, exit 1."""
    env = gateway_env(
        tmp_path,
        refused_url(),
        SIAKGATE_DATABASE_WAIT_ATTEMPTS="2",
        SIAKGATE_DATABASE_WAIT_FIRST_SECONDS="0.05",
    )
    cmd = [sys.executable, "-m", "siakgate", "serve", "--port", str(free_port())]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Basis data belum dapat dihubungi (percobaan 1/2)" in result.stderr
    assert "Basis data tidak dapat dihubungi setelah 2 percobaan" in result.stderr
    assert "Traceback" not in result.stderr
    assert "rahasia-uji" not in result.stderr


@pytest.fixture
def forwarder() -> Iterator[Callable[[int], Forwarder]]:
    made: list[Forwarder] = []

    def make(port: int) -> Forwarder:
        made.append(Forwarder(port, ("127.0.0.1", 5432)))
        return made[-1]

    yield make
    for item in made:
        item.close()


def test_the_gateway_started_before_postgresql_becomes_ready_once_it_answers(
    tmp_path: Path, make_database_url: Callable[..., str], forwarder: Callable[[int], Forwarder]
) -> None:
    """One worker process: the supervisor's wait is the same for more (the give-up test runs two), and one keeps
    this test short on a loaded machine."""
    real = make_url(make_database_url("postgresql"))
    if (real.host, real.port or 5432) != ("127.0.0.1", 5432):
        pytest.skip("the forwarder targets the test server at 127.0.0.1:5432")
    late = forwarder(free_port())
    url = real.set(port=late.port).render_as_string(hide_password=False)
    env = gateway_env(
        tmp_path,
        url,
        SIAKGATE_DATABASE_WAIT_ATTEMPTS="60",
        SIAKGATE_DATABASE_WAIT_FIRST_SECONDS="0.1",
        SIAKGATE_DATABASE_WAIT_MAX_SECONDS="0.5",
    )
    port = free_port()
    cmd = [sys.executable, "-m", "siakgate.api.serving", "--workers", "1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = stderr_lines(proc)
    seen: list[str] = []
    try:
        while not any("(percobaan 2/60)" in line for line in seen):  # it is waiting, and says so
            line = lines.get(timeout=60)
            assert line is not None, "".join(seen)
            seen.append(line)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)  # not serving while it waits
        late.start()
        ready = False
        for _ in range(300):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                ready = False
            if ready:
                break
            assert proc.poll() is None, "".join(seen)
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is not None:
                seen.append(line)
        assert ready, "".join(seen)
        readyz = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()
        assert readyz["checks"]["database"] is True  # no metrics token in development: the detail is shown
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    while (line := lines.get(timeout=10)) is not None:
        seen.append(line)
    assert proc.stderr is not None
    proc.stderr.close()
    text = "".join(seen)
    assert "Traceback" not in text
    assert all("belum dapat dihubungi" not in line or "Connection refused" in line for line in seen)
