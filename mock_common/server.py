"""Running a mock: in the foreground from the command line, or in a background thread for tests."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"


@dataclass
class RunningServer:
    """A mock served by uvicorn in a daemon thread. ``url`` has no trailing slash."""

    url: str
    host: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def start_in_thread(app: ASGIApp, host: str = LOOPBACK, port: int = 0) -> RunningServer:
    """Serve ``app`` on ``host:port`` (0: a free port) in a daemon thread; returns once it accepts connections."""
    sock = _bind(host, port)
    actual_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"mock:{actual_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"mock server on {host}:{actual_port} did not start")
        time.sleep(0.01)
    return RunningServer(f"http://{host}:{actual_port}", host, actual_port, server, thread)


def serve_forever(app: ASGIApp, host: str, port: int, name: str) -> None:
    """Serve ``app`` in the foreground until interrupted (used by ``python -m mock_…``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger(name).info("%s listening on http://%s:%d", name, host, port)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
