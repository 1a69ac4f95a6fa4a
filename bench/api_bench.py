"""Requests per second of the REST API: `make run`'s services on loopback, a bounded load, latency percentiles.

What runs: ``scripts/run.py`` (mock SIAK, mock BSrE and the gateway, each its own process, exactly as ``make run``
starts them) with a fresh state directory and free ports, then an API token made the documented way
(``siakgate tokens add NAME --role ...``). Rows, each for ``--duration`` seconds after ``--warmup`` seconds, with
``--concurrency`` connections kept alive:

* **GET detail**: ``GET /v1/applications/{id}`` (a personal-data read: authenticated, authorised, audited);
* **GET list**: ``GET /v1/applications?limit=20``;
* **POST create**: ``POST /v1/applications`` (a lost-KK intake for a family of mock SIAK: a new application,
  its timeline event and its audit entry per request).

Each row reports req/s, p50 and p99 latency and the gateway's CPU per request (user + system time of the gateway's
processes over the measured window, read from ``/proc``: the stable figure on shared cores). A row with any
non-2xx answer or transport error is refused (its figures are not reported as met). At the end the audit chain
must verify (``GET /v1/audit/verify``) and hold at least one entry per answered GET detail, or every row is refused.

The load generator is a minimal HTTP/1.1 keep-alive client on asyncio streams, not httpx: on 2 shared cores the
client's own CPU per request counts against the server, and httpx spends ~10x more per request than this.

    .venv/bin/python bench/api_bench.py [--duration 10] [--warmup 2] [--concurrency 16] [--json]
    .venv/bin/python bench/api_bench.py --database postgresql   # a throw-away database on SIAKGATE_BENCH_POSTGRES_URL

Run the SQLite row inside ``unshare --net`` (any ports, nothing else listening); PostgreSQL needs the host's network
(its database server), so the gateway and the mocks then take random free ports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PY = sys.executable
POSTGRES_URL = os.environ.get("SIAKGATE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROLES = ("PEMOHON", "PETUGAS_LOKET", "OPERATOR_DESA", "ADMIN")
GOALS = {"GET detail": (1000.0, 50.0), "GET list": (1000.0, 50.0), "POST create": (300.0, 50.0)}
"""Row → (req/s at least, p99 ms below): issue 12's REST row, on 2 cores."""

WHY_MISSED = {
    "GET detail": "CPU-bound at ~5-6 ms of gateway CPU per request: the ORM read of the application view (~2 ms), "
    "FastAPI's dependency solving and five middleware layers (~1 ms), thread hops. Next: a Core-query view read "
    "in siakgate.workflow.queries, fewer middleware layers.",
    "GET list": "a page's documents now come in one IN query (2 queries for 20 rows, was 21), but each row is still "
    "an ORM object graph turned into a view, and the read is audited. Next: the page read as one Core query.",
    "POST create": "one write transaction per intake (application, timeline, outbox, follow-ups, archive record, "
    "audit entry) at synchronous=FULL, serialised by SQLite's single writer. Next: a leaner intake unit of work, "
    "group commit of intakes, or PostgreSQL.",
}
"""Why a row misses its goal and the next step (issue 12: rows that miss say why)."""


# -- a lean HTTP/1.1 client --------------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; :meth:`send` writes a prepared request and reads the whole answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def http_request(method: str, path: str, port: int, token: str, body: dict[str, Any] | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\n"
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode("latin-1") + payload


@dataclass
class Row:
    name: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    gateway_cpu_ms_per_request: float
    client_cpu_ms_per_request: float
    goal_rps: float
    goal_p99_ms: float
    refused: str | None = None
    first_error: str | None = None

    @property
    def met(self) -> bool:
        return self.refused is None and self.rps >= self.goal_rps and self.p99_ms < self.goal_p99_ms


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def load(
    name: str, port: int, request: bytes, *, concurrency: int, warmup: float, duration: float, cpu: CpuMeter
) -> Row:
    """``concurrency`` connections sending ``request`` back to back; only the window after ``warmup`` counts."""
    latencies: list[float] = []
    errors: list[str] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, stop_at = start + warmup, start + warmup + duration
    marks: dict[str, float] = {}

    async def client() -> None:
        connection = Connection(port)
        try:
            while (now := loop.time()) < stop_at:
                began = time.perf_counter()
                try:
                    status, body = await connection.send(request)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    status, body = 0, repr(exc).encode()
                    await connection.close()
                elapsed = time.perf_counter() - began
                if now >= measure_from:
                    latencies.append(elapsed)
                    if not 200 <= status < 300:
                        errors.append(f"{status} {body[:200].decode('utf-8', 'replace')}")
        finally:
            await connection.close()

    async def meter() -> None:
        await asyncio.sleep(max(0.0, measure_from - loop.time()))
        marks["gateway"], marks["client"], marks["wall"] = cpu.gateway(), time.process_time(), time.perf_counter()

    await asyncio.gather(meter(), *(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - marks["wall"]
    gateway_cpu, client_cpu = cpu.gateway() - marks["gateway"], time.process_time() - marks["client"]
    count = len(latencies)
    goal_rps, goal_p99 = GOALS[name]
    return Row(
        name=name,
        requests=count,
        seconds=round(seconds, 2),
        rps=round(count / seconds, 1),
        p50_ms=round(percentile(latencies, 0.50) * 1000, 1),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
        max_ms=round(max(latencies, default=float("nan")) * 1000, 1),
        errors=len(errors),
        gateway_cpu_ms_per_request=round(gateway_cpu * 1000 / max(count, 1), 2),
        client_cpu_ms_per_request=round(client_cpu * 1000 / max(count, 1), 2),
        goal_rps=goal_rps,
        goal_p99_ms=goal_p99,
        refused=f"{len(errors)} non-2xx answers or transport errors" if errors else None,
        first_error=errors[0] if errors else None,
    )


# -- the services ------------------------------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds (user + system) of the gateway's processes: ``siakgate serve`` and its uvicorn workers."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self._ticks = os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return raw[raw.rindex(")") + 2 :].split()

    def _gateway_pids(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (stat := self._stat(int(entry))) is not None:
                parents[int(entry)] = int(stat[1])
        tree, frontier = set(), [self.root_pid]
        while frontier:
            pid = frontier.pop()
            for child, parent in parents.items():
                if parent == pid and child not in tree:
                    tree.add(child)
                    frontier.append(child)
        found = []
        for pid in tree:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"mock_siak" not in cmdline and b"mock_bsre" not in cmdline:
                found.append(pid)
        return found

    def gateway(self) -> float:
        total = 0
        for pid in self._gateway_pids():
            if (stat := self._stat(pid)) is not None:
                total += int(stat[11]) + int(stat[12])  # utime, stime
        return total / self._ticks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Services:
    proc: subprocess.Popen[bytes]
    env: dict[str, str]
    gateway_port: int
    siak_port: int
    log: Path


@contextmanager
def services(state: Path, database_url: str, *, random_ports: bool, workers: int | None) -> Iterator[Services]:
    """``scripts/run.py`` with its state in ``state``; stopped on exit (SIGTERM: run.py stops its services as on
    Ctrl-C, and unlike SIGINT it is not ignored when the benchmark itself runs in the background)."""
    ports = [free_port() for _ in range(3)] if random_ports else [8081, 8082, 8000]
    env = {
        **os.environ,
        "SIAKGATE_STATE_DIR": str(state),
        "MOCK_SIAK_PORT": str(ports[0]),
        "MOCK_BSRE_PORT": str(ports[1]),
        "GATEWAY_PORT": str(ports[2]),
        "PYTHONUNBUFFERED": "1",
    }
    if database_url:
        env["SIAKGATE_DATABASE_URL"] = database_url
    if workers is not None:
        env["GATEWAY_WORKERS"] = str(workers)
    log = state / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([PY, "scripts/run.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while "Layanan pengembangan siakgate berjalan" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"make run's services did not start:\n{log.read_text(errors='replace')[-6000:]}")
            time.sleep(0.3)
        yield Services(proc, env, ports[2], ports[0], log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def create_token(env: dict[str, str]) -> str:
    name = f"bench-{secrets.token_hex(4)}"
    roles = [arg for role in ROLES for arg in ("--role", role)]
    result = subprocess.run(
        [PY, "-m", "siakgate", "tokens", "add", name, *roles], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"siakgate tokens add failed: {result.stderr.strip()}")
    return result.stdout.strip()


# -- PostgreSQL: a throw-away database ----------------------------------------------------------------------------


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"siakgate_bench_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- one run ------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    concurrency: int
    workers: str
    rows: list[Row] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)


def run(database: str, args: argparse.Namespace) -> Result:
    state = Path(tempfile.mkdtemp(prefix="siakgate-bench-api-"))
    try:
        if database == "postgresql":
            with postgres_database(args.postgres_url) as url:
                return _measure(database, state, url, args, random_ports=True)
        return _measure(database, state, "", args, random_ports=args.random_ports)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def _measure(database: str, state: Path, url: str, args: argparse.Namespace, *, random_ports: bool) -> Result:
    with services(state, url, random_ports=random_ports, workers=args.workers) as svc:
        token = create_token(svc.env)
        port = svc.gateway_port
        base = f"http://{HOST}:{port}"
        family = httpx.get(f"http://{HOST}:{svc.siak_port}/_admin/sample", params={"n": 1, "region": "3508"}).json()
        no_kk = family["families"][0]["NO_KK"]
        body = {"profile_id": "loket-desa", "case_type": "HILANG", "region_code": no_kk[:6] + "2001", "no_kk": no_kk}
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            created = [client.post("/v1/applications", json=body) for _ in range(20)]
            bad = [r for r in created if r.status_code != 201]
            if bad:
                raise SystemExit(f"seeding failed: {bad[0].status_code} {bad[0].text[:300]}")
        app_id = created[0].json()["id"]
        cpu = CpuMeter(svc.proc.pid)
        result = Result(database, args.concurrency, os.environ.get("GATEWAY_WORKERS", str(args.workers or "default")))
        plan = [
            ("GET detail", http_request("GET", f"/v1/applications/{app_id}", port, token)),
            ("GET list", http_request("GET", "/v1/applications?limit=20", port, token)),
            ("POST create", http_request("POST", "/v1/applications", port, token, body)),
        ]
        for name, request in plan:
            if args.rows and name not in args.rows:
                continue
            row = asyncio.run(
                load(
                    name,
                    port,
                    request,
                    concurrency=args.concurrency,
                    warmup=args.warmup,
                    duration=args.duration,
                    cpu=cpu,
                )
            )
            result.rows.append(row)
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            report = client.get("/v1/audit/verify").json()
        reads = sum(row.requests - row.errors for row in result.rows if row.name == "GET detail")
        result.audit = {"intact": report.get("intact"), "entries": report.get("entries"), "detail_reads": reads}
        if not report.get("intact") or int(report.get("entries") or 0) < reads:
            for row in result.rows:
                row.refused = row.refused or f"audit chain not intact or short: {report}"
        return result


def table(results: list[Result]) -> str:
    lines = []
    for result in results:
        lines.append(
            f"REST API on {result.database}, c={result.concurrency}, gateway workers: {result.workers} "
            f"(audit chain intact: {result.audit.get('intact')}, {result.audit.get('entries')} entries)"
        )
        lines.append(
            f"  {'row':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'gw CPU ms/req':>14}"
            f" {'goal':>22}  verdict"
        )
        for row in result.rows:
            goal = f">= {row.goal_rps:.0f}/s, p99 < {row.goal_p99_ms:.0f}"
            verdict = f"REFUSED: {row.refused}" if row.refused else ("met" if row.met else "missed")
            lines.append(
                f"  {row.name:<12} {row.rps:>8.1f} {row.p50_ms:>8.1f} {row.p99_ms:>8.1f} {row.errors:>7d}"
                f" {row.gateway_cpu_ms_per_request:>14.2f} {goal:>22}  {verdict}"
            )
            if row.first_error:
                lines.append(f"      first error: {row.first_error}")
            elif not row.met and row.name in WHY_MISSED:
                lines.append(f"      why: {WHY_MISSED[row.name]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per row")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each row")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="where to create a throw-away database")
    parser.add_argument("--workers", type=int, default=None, help="gateway worker processes (default: run.py's)")
    parser.add_argument("--random-ports", action="store_true", help="SQLite too on random free ports")
    parser.add_argument("--rows", type=lambda value: value.split(","), default=None, help="e.g. 'GET detail'")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [run(kind, args) for kind in kinds]
    if args.json:
        print(json.dumps([{**asdict(r), "rows": [{**asdict(x), "met": x.met} for x in r.rows]} for r in results]))
    else:
        print(table(results))
    return 1 if any(row.refused for result in results for row in result.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
