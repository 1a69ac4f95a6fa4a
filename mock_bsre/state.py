"""Mutable state of mock BSrE: one-time downloads (on disk), OTP codes and their outbox, CSC
sessions.

Downloads survive a restart because the real service keeps signed documents until they are fetched;
OTPs, seal activations, CSC tokens and SADs are short-lived and live in memory.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp

from mock_bsre.errors import INVALID_TOTP, Refused

Clock = Callable[[], float]


class DocumentStore:
    """Signed documents waiting for their single ``GET /api/sign/download/{id_dokumen}``."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir) / "documents"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def put(self, pdf: bytes) -> str:
        doc_id = uuid.uuid4().hex
        tmp = self.dir / f"{doc_id}.tmp"
        tmp.write_bytes(pdf)
        tmp.replace(self.dir / f"{doc_id}.pdf")  # atomic: never a half-written document
        return doc_id

    def take(self, doc_id: str) -> bytes | bool | None:
        """The document the first time; ``False`` if already downloaded; ``None`` if unknown."""
        if not doc_id.isalnum():
            return None
        path = self.dir / f"{doc_id}.pdf"
        done = self.dir / f"{doc_id}.downloaded"
        with self._lock:
            if done.exists():
                return False
            if not path.exists():
                return None
            data = path.read_bytes()
            done.touch()
            path.unlink()
        return data


@dataclass
class OtpCode:
    subject: str  # "nik:<nik>" or "seal:<idSubscriber>" or "seal-activation:<id>"
    code: str
    uses: int
    expires_at: float


@dataclass
class OutboxMessage:
    """An e-mail the real service would send; tests read the code here."""

    to: str
    nik: str | None
    id_subscriber: str | None
    kind: str
    code: str
    uses: int
    sent_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "nik": self.nik,
            "idSubscriber": self.id_subscriber,
            "kind": self.kind,
            "code": self.code,
            "uses": self.uses,
            "sentAt": self.sent_at,
        }


class OtpStore:
    """One-time codes, each valid for ``uses`` signatures until ``expires_at``."""

    def __init__(self, ttl_seconds: int, clock: Clock = time.time) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self._codes: dict[str, list[OtpCode]] = {}
        self._counters: dict[str, int] = {}
        self.outbox: list[OutboxMessage] = []
        self._lock = threading.Lock()

    def issue(self, subject: str, uses: int, secret: str | None, ttl: int | None = None) -> str:
        with self._lock:
            counter = self._counters.get(subject, 0) + 1
            self._counters[subject] = counter
            code = pyotp.HOTP(secret).at(counter) if secret else f"{secrets.randbelow(10**6):06d}"
            expires = self.clock() + (ttl or self.ttl)
            self._codes.setdefault(subject, []).append(OtpCode(subject, code, uses, expires))
            return code

    def send(self, message: OutboxMessage) -> None:
        with self._lock:
            self.outbox.append(message)

    def consume(self, subject: str, code: str, uses: int) -> None:
        """Spend ``uses`` of ``code``; refuse an unknown, expired, exhausted or too small code."""
        with self._lock:
            now = self.clock()
            for otp in self._codes.get(subject, []):
                if otp.code == str(code) and otp.expires_at > now and otp.uses >= uses > 0:
                    otp.uses -= uses
                    if otp.uses == 0:
                        self._codes[subject].remove(otp)
                    return
        raise Refused(INVALID_TOTP, "TOTP tidak valid atau sudah kedaluwarsa")

    def peek(self, subject: str, code: str) -> bool:
        with self._lock:
            return any(
                o.code == str(code) and o.expires_at > self.clock() and o.uses > 0 for o in self._codes.get(subject, [])
            )

    def expiry(self, subject: str, code: str) -> float | None:
        """When ``code`` of ``subject`` expires (clock seconds), None if it is unknown."""
        with self._lock:
            return next((o.expires_at for o in self._codes.get(subject, []) if o.code == str(code)), None)

    def extend(self, subject: str, code: str, ttl: int) -> float | None:
        """Give a still valid ``code`` a fresh ``ttl`` and answer its new expiry; None if it is not valid."""
        with self._lock:
            now = self.clock()
            for otp in self._codes.get(subject, []):
                if otp.code == str(code) and otp.expires_at > now and otp.uses > 0:
                    otp.expires_at = now + ttl
                    return otp.expires_at
        return None

    def revoke(self, subject: str) -> None:
        with self._lock:
            self._codes.pop(subject, None)


@dataclass
class Sad:
    credential_id: str
    remaining: int
    hashes: set[str] | None
    expires_at: float


@dataclass
class CscSessions:
    """Access tokens from ``auth/login`` and SADs from ``credentials/authorize``."""

    token_ttl: int
    sad_ttl: int
    clock: Clock = time.time
    tokens: dict[str, float] = field(default_factory=dict)
    sads: dict[str, Sad] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = self.clock() + self.token_ttl
        return token

    def token_ok(self, token: str) -> bool:
        with self.lock:
            return self.tokens.get(token, 0) > self.clock()

    def new_sad(self, credential_id: str, num: int, hashes: list[str] | None) -> str:
        sad = secrets.token_urlsafe(32)
        with self.lock:
            self.sads[sad] = Sad(credential_id, num, set(hashes) if hashes else None, self.clock() + self.sad_ttl)
        return sad
