"""Fault injection shared by both mocks.

A gateway is only as good as its behaviour when the government network misbehaves, so both mocks can be told
to misbehave on purpose:

* ``latency_ms``: every request waits this long before it is answered;
* ``fault_rate``: this fraction of requests gets a *protocol* fault (a SOAP fault from mock SIAK, a BSrE error
  body from mock BSrE) instead of its answer;
* ``http_5xx_rate``: this fraction gets a bare HTTP 503 (or the status in ``http_status``);
* ``drop_rate``: this fraction gets a connection that closes before the request is handled;
* ``drop_after_rate``: this fraction IS handled (whatever it changes stays changed) but its answer is lost: the
  connection closes before the answer is complete, the failure a client cannot tell apart from the one above;
* ``malformed_rate``: this fraction gets a body that is not well-formed (truncated XML or JSON);
* ``paths``: the path prefixes the settings above apply to (``["/pki/ocsp", "/pki/crl/"]``: only OCSP and CRL
  requests are slowed or broken); empty, the default, means every path. A request outside them is answered
  normally, takes no fault from ``script`` and no random draw.

Random faults are drawn from a seeded generator so that a run can be replayed. For tests that must be exact,
``script`` is a queue of faults (``"fault"``, ``"http_5xx"``, ``"drop"``, ``"drop_after"``, ``"malformed"``, ``"ok"``)
applied to the
next requests in order, before any random draw.

The configuration is set at start-up (command-line options, see :func:`add_cli_options`) and can be read and
changed at run time through ``GET``/``PUT /_admin/faults``. The admin and health endpoints are never faulted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAULT_KINDS = ("fault", "http_5xx", "drop", "drop_after", "malformed", "ok")
ADMIN_PATH = "/_admin/faults"
EXEMPT_PATHS = (ADMIN_PATH, "/healthz")


class DroppedConnection(Exception):
    """Raised inside the ASGI app after the response has started, so the server closes the connection."""


@dataclass
class FaultConfig:
    latency_ms: int = 0
    fault_rate: float = 0.0
    http_5xx_rate: float = 0.0
    http_status: int = 503
    drop_rate: float = 0.0
    drop_after_rate: float = 0.0
    malformed_rate: float = 0.0
    seed: int | None = None
    script: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        rates = (self.fault_rate, self.http_5xx_rate, self.drop_rate, self.drop_after_rate, self.malformed_rate)
        if any(not 0.0 <= r <= 1.0 for r in rates):
            raise ValueError("every rate must lie between 0 and 1")
        if sum(rates) > 1.0:
            raise ValueError("the rates must add up to at most 1")
        if not 500 <= self.http_status <= 599:
            raise ValueError("http_status must be a 5xx status")
        unknown = [s for s in self.script if s not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds in script: {unknown}; known: {FAULT_KINDS}")
        if not isinstance(self.paths, list) or any(not isinstance(p, str) or not p.startswith("/") for p in self.paths):
            raise ValueError("every entry of paths must be a path prefix starting with '/'")

    def applies_to(self, path: str) -> bool:
        """Whether a request for ``path`` is subject to these faults (every path when ``paths`` is empty)."""
        return not self.paths or any(path.startswith(prefix) for prefix in self.paths)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        return cls(**data)


def add_cli_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fault injection")
    group.add_argument("--latency-ms", type=int, default=0, help="delay every answer (ms)")
    group.add_argument("--fault-rate", type=float, default=0.0, help="fraction answered with a fault")
    group.add_argument("--http-5xx-rate", type=float, default=0.0, help="fraction answered 503")
    group.add_argument("--drop-rate", type=float, default=0.0, help="fraction whose connection drops")
    group.add_argument("--drop-after-rate", type=float, default=0.0, help="fraction handled, then the answer is lost")
    group.add_argument("--malformed-rate", type=float, default=0.0, help="fraction with a broken body")
    group.add_argument("--fault-seed", type=int, default=None, help="seed for the random draws")
    group.add_argument(
        "--fault-path",
        action="append",
        default=[],
        dest="fault_paths",
        metavar="PREFIX",
        help="apply the faults only to paths starting with PREFIX (repeatable; default: every path)",
    )


def config_from_args(args: argparse.Namespace) -> FaultConfig:
    return FaultConfig(
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        http_5xx_rate=args.http_5xx_rate,
        drop_rate=args.drop_rate,
        drop_after_rate=args.drop_after_rate,
        malformed_rate=args.malformed_rate,
        seed=args.fault_seed,
        paths=list(args.fault_paths),
    )


class FaultInjector:
    """ASGI middleware that applies a :class:`FaultConfig` and serves the admin endpoint.

    ``fault_response`` builds the protocol's own fault answer (a SOAP fault, a BSrE error body);
    ``malformed_body`` and ``malformed_media_type`` describe a broken answer in the protocol's format.
    """

    def __init__(
        self,
        app: ASGIApp,
        config: FaultConfig,
        *,
        fault_response: Callable[[], Response],
        malformed_body: bytes,
        malformed_media_type: str,
    ) -> None:
        self.app = app
        self._fault_response = fault_response
        self._malformed = Response(malformed_body, media_type=malformed_media_type)
        self._lock = threading.Lock()
        self.configure(config)

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self._config = config
            self._script = list(config.script)
            self._random = random.Random(config.seed)  # noqa: S311 - fault draws, not secrets

    def _draw(self) -> str:
        with self._lock:
            if self._script:
                return self._script.pop(0)
            c = self._config
            x = self._random.random()
            for kind, rate in (
                ("fault", c.fault_rate),
                ("http_5xx", c.http_5xx_rate),
                ("drop", c.drop_rate),
                ("drop_after", c.drop_after_rate),
                ("malformed", c.malformed_rate),
            ):
                if x < rate:
                    return kind
                x -= rate
            return "ok"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path == ADMIN_PATH:
            await self._admin(scope, receive, send)
            return
        config = self._config
        if path in EXEMPT_PATHS or not config.applies_to(path):
            await self.app(scope, receive, send)
            return
        # Draw on arrival, then wait: a slow request still sleeping when its test ended (the client timed out)
        # must not take a fault from the next test's script.
        kind = self._draw()
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        handlers: dict[str, Callable[[], Awaitable[None]]] = {
            "fault": lambda: self._fault_response()(scope, receive, send),
            "http_5xx": lambda: Response("Service Unavailable", status_code=config.http_status)(scope, receive, send),
            "malformed": lambda: self._malformed(scope, receive, send),
            "drop": lambda: self._drop(send),
            "drop_after": lambda: self._handle_then_drop(scope, receive, send),
        }
        if kind in handlers:
            await handlers[kind]()
        else:
            await self.app(scope, receive, send)

    @staticmethod
    async def _drop(send: Send) -> None:
        # Promise a body, send none of it, then fail: the server closes the connection mid-answer,
        # which a client sees as a dropped connection (e.g. httpx.RemoteProtocolError).
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1024"), (b"content-type", b"text/plain")],
            }
        )
        raise DroppedConnection("connection dropped by fault injection")

    async def _handle_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        await self._drop(send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response: Response
        if request.method == "GET":
            response = JSONResponse(self._config.to_json())
        elif request.method == "PUT":
            try:
                body = await request.body()
                data = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("expected a JSON object")
                self.configure(FaultConfig.from_json(data))
            except (ValueError, TypeError) as exc:
                response = JSONResponse({"error": str(exc)}, status_code=400)
            else:
                response = JSONResponse(self._config.to_json())
        else:
            response = JSONResponse({"error": "method not allowed"}, status_code=405)
        await response(scope, receive, send)
