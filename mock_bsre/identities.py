"""Signer identities (users and seal subscribers) and the BSrE user-status table.

The status codes 1111 (ISSUE) and 1110 (NOT_REGISTERED) and their messages are the real service's
(see API.md); the other codes are chosen by this mock and marked so in API.md.
"""

from __future__ import annotations

import hmac
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

STATUSES: dict[str, tuple[int, str]] = {
    # status: (status_code, message)
    "ISSUE": (1111, "User sudah terdaftar dan memiliki sertifikat dengan status ISSUE"),
    "NOT_REGISTERED": (1110, "User belum terdaftar"),
    "EXPIRED": (1112, "User sudah terdaftar dan memiliki sertifikat dengan status EXPIRED"),
    "RENEW": (1113, "User sudah terdaftar dan sertifikat sedang dalam proses pembaruan (RENEW)"),
    "WAITING_FOR_VERIFICATION": (
        1114,
        "User sudah terdaftar dan menunggu verifikasi (WAITING_FOR_VERIFICATION)",
    ),
    "NEW": (1115, "User sudah terdaftar dan belum diverifikasi (NEW)"),
    "NO_CERTIFICATE": (1116, "User sudah terdaftar namun belum memiliki sertifikat"),
    "SUSPEND": (1117, "User sudah terdaftar dan memiliki sertifikat dengan status SUSPEND"),
    "REVOKE": (1118, "User sudah terdaftar dan memiliki sertifikat dengan status REVOKE"),
}


@dataclass(frozen=True)
class User:
    nik: str
    email: str
    name: str
    status: str
    passphrase: str
    certificate: str | None = None
    totp_secret: str | None = None

    def __repr__(self) -> str:  # never print the passphrase or the NIK in full
        return f"User(nik={mask_nik(self.nik)}, status={self.status})"

    def passphrase_ok(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self.passphrase.encode())


@dataclass(frozen=True)
class Seal:
    id_subscriber: str
    email: str
    name: str
    certificate: str


def mask_nik(nik: str) -> str:
    """``3508********0001``: enough to tell signers apart in a log, not enough to identify
    anyone.
    """
    return nik[:4] + "*" * max(len(nik) - 8, 0) + nik[-4:] if len(nik) > 8 else "****"


REGISTERED_STATUS = "NO_CERTIFICATE"
"""What ``POST /api/v2/user/registration`` leaves a new user in: an account without a certificate
("Pengguna sudah terdaftar namun belum memiliki Sertifikat Elektronik", guide p.32)."""


class Registry:
    """Who exists at mock BSrE, looked up by NIK, e-mail or idSubscriber."""

    def __init__(self, users: list[User], seals: list[Seal], unregistered_nik: str) -> None:
        self.users = users
        self.seals = seals
        self.unregistered_nik = unregistered_nik
        self._by_nik = {u.nik: u for u in users}
        self._by_email = {u.email.lower(): u for u in users}
        self._seals = {s.id_subscriber: s for s in seals}
        self._lock = threading.Lock()

    def register(self, name: str, email: str) -> User | None:
        """Add a user known by e-mail only (the guide's registration takes ``nama`` and ``email``, p.33-34),
        in memory; None if the e-mail is already registered.
        """
        user = User(nik="", email=email.strip(), name=name.strip(), status=REGISTERED_STATUS, passphrase="")
        with self._lock:
            if user.email.lower() in self._by_email:
                return None
            self.users.append(user)
            self._by_email[user.email.lower()] = user
        return user

    def find(self, nik: str | None = None, email: str | None = None) -> User | None:
        if nik:
            return self._by_nik.get(str(nik).strip())
        if email:
            return self._by_email.get(str(email).strip().lower())
        return None

    def seal(self, id_subscriber: str | None) -> Seal | None:
        return self._seals.get(str(id_subscriber or ""))

    def by_certificate(self, cert_name: str) -> User | None:
        return next((u for u in self.users if u.certificate == cert_name), None)


def load_registry(signers_file: Path, manifest: dict[str, Any] | None = None) -> Registry:
    """Read ``signers.yaml``; if the PKI manifest is known, insist the NIK/e-mail of each cert
    agree.
    """
    data = yaml.safe_load(Path(signers_file).read_text(encoding="utf-8"))
    users = [
        User(
            nik=str(u["nik"]),
            email=str(u["email"]),
            name=str(u["name"]),
            status=str(u["status"]),
            passphrase=str(u["passphrase"]),
            certificate=u.get("certificate"),
            totp_secret=u.get("totp_secret"),
        )
        for u in data.get("users", [])
    ]
    unknown = {u.status for u in users} - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown BSrE statuses in {signers_file}: {sorted(unknown)}")
    seals = [
        Seal(str(s["id_subscriber"]), str(s["email"]), str(s["name"]), str(s["certificate"]))
        for s in data.get("seals", [])
    ]
    registry = Registry(users, seals, str(data.get("unregistered_nik", "")))
    if manifest:
        _check_against_manifest(registry, manifest)
    return registry


def _manifest_entry(manifest: dict[str, Any], name: str) -> dict[str, Any] | None:
    entities = manifest.get("entities", manifest)
    entry = entities.get(name) if isinstance(entities, dict) else None
    return entry if isinstance(entry, dict) else None


def _check_against_manifest(registry: Registry, manifest: dict[str, Any]) -> None:
    for user in registry.users:
        if not user.certificate:
            continue
        entry = _manifest_entry(manifest, user.certificate)
        if entry is None:
            continue
        nik = entry.get("nik") or entry.get("NIK")
        email = entry.get("email")
        if nik and str(nik) != user.nik:
            raise ValueError(f"signers.yaml NIK of {user.certificate} disagrees with the manifest")
        if email and str(email).lower() != user.email.lower():
            raise ValueError(f"signers.yaml e-mail of {user.certificate} disagrees with the manifest")


def read_manifest(certs_dir: Path | None) -> dict[str, Any] | None:
    if certs_dir is None:
        return None
    path = Path(certs_dir) / "manifest.json"
    if not path.exists():
        return None
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None
