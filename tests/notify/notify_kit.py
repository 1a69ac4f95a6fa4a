"""Helpers of the notification tests: a recording webhook receiver, outbox rows, a workflow with the outbox."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mock_bsre.pki import load_pki
from mock_common.server import RunningServer, start_in_thread
from siakgate.clock import Clock
from siakgate.notify import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from siakgate.signing import Credential, PadesLevel, Pkcs12Backend, SigningOptions
from siakgate.store import Database, DocumentStore
from siakgate.store.models import Application, new_id
from siakgate.store.models_notify import OutboxMessage
from siakgate.workflow import TteBlockFactory, Workflow
from siakgate.workflow.calendar import WorkingCalendar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))

SECRET = b"uji-rahasia-webhook-notifikasi"
PHONE = "081234567890"


@dataclass
class Received:
    id: str
    body: dict[str, Any]
    headers: dict[str, str]
    signature_ok: bool


@dataclass
class Receiver:
    """A bridge stand-in: records every request, answers from ``script`` (then 200), dedupes on the id.

    ``hang`` makes it accept a message (it counts as processed) and then not answer until released:
    the bridge took it, the gateway never heard back.
    """

    script: list[int] = field(default_factory=list)
    delay: float = 0.0
    hang: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[Received] = field(default_factory=list)
    processed: dict[str, int] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: RunningServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.server.url}/hook"

    def ids(self) -> list[str]:
        with self.lock:
            return [r.id for r in self.requests]

    async def handle(self, request: Request) -> JSONResponse:
        raw = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        ok = verify_signature(
            SECRET, headers.get(TIMESTAMP_HEADER.lower(), ""), raw, headers.get(SIGNATURE_HEADER.lower(), "")
        )
        body = await request.json()
        message_id = headers.get("idempotency-key", "")
        with self.lock:
            self.requests.append(Received(message_id, body, headers, ok))
            status = self.script.pop(0) if self.script else 200
            self.in_flight[message_id] = self.in_flight.get(message_id, 0) + 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight[message_id])
        try:
            if self.delay:
                await anyio.sleep(self.delay)
            if not ok:
                return JSONResponse({"error": "bad signature"}, status_code=401)
            if status >= 300:
                return JSONResponse({"error": f"scripted {status}"}, status_code=status)
            with self.lock:
                duplicate = message_id in self.processed
                self.processed[message_id] = self.processed.get(message_id, 0) + (0 if duplicate else 1)
            if self.hang.is_set():
                while not self.release.is_set():
                    await anyio.sleep(0.02)
            return JSONResponse({"ok": True, "duplicate": duplicate})
        finally:
            with self.lock:
                self.in_flight[message_id] -= 1


@contextmanager
def running_receiver(receiver: Receiver | None = None) -> Iterator[Receiver]:
    receiver = receiver or Receiver()
    receiver.server = start_in_thread(Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])]))
    try:
        yield receiver
    finally:
        receiver.release.set()
        receiver.server.stop()


def utc_now() -> datetime:
    return datetime.now(UTC)


def add_message(db: Database, *, channel: str = "WHATSAPP", text: str = "Permohonan KK siap diambil.") -> str:
    """An application row and one PENDING outbox message for it (the delivery tests need no workflow)."""
    now = utc_now()
    message_id = new_id()
    with db.unit_of_work() as session:
        app = Application(
            profile_id="lumajang-bca",
            case_type="HILANG",
            region_code="3508012001",
            state="MENUNGGU_PENYERAHAN",
            step_started_at=now,
            created_by="uji",
            applicant_phone=PHONE,
            due_at=now + timedelta(days=1),
            created_at=now,
            updated_at=now,
            version=1,
        )
        session.add(app)
        session.flush()
        session.add(
            OutboxMessage(
                id=message_id,
                application_id=app.id,
                channel=channel,
                recipient=PHONE,
                template="siap_diambil",
                step_id="cetak-kk",
                body=text,
                state="PENDING",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return message_id


def message(db: Database, message_id: str) -> OutboxMessage:
    with db.unit_of_work(read_only=True) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        return row


def messages(db: Database, app_id: str | None = None) -> list[OutboxMessage]:
    with db.unit_of_work(read_only=True) as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
        if app_id is not None:
            stmt = stmt.where(OutboxMessage.application_id == app_id)
        return list(session.scalars(stmt).all())


def count_messages(db: Database) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def p12(name: str) -> Pkcs12Backend:
    return Pkcs12Backend(load_pki().certs_dir / "p12" / f"{name}.p12")


def passphrase(name: str) -> Credential:
    value = load_pki().entity(name)["p12_passphrase"]
    assert isinstance(value, str)
    return Credential.passphrase(value)


def make_workflow(
    db: Database, documents: DocumentStore, siak: object, profiles: dict[str, Any], listeners: Sequence[Any] = ()
) -> Workflow:
    return Workflow(
        db=db,
        documents=documents,
        profiles=profiles,
        siak=siak,  # type: ignore[arg-type]
        signing=p12("kepala-dinas"),
        signing_options=SigningOptions(level=PadesLevel.B_B),
        sekcam_signing=p12("sekcam"),
        tte=TteBlockFactory("http://127.0.0.1:8000", "Drs. Bambang Setiawan, M.Si.", "19720512 199803 1 004"),
        calendar=WorkingCalendar(),
        clock=Clock(),
        listeners=listeners,
    )
