"""The Esign Client Service's behaviour, independent of API version: who may sign, signing,
verifying.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.requests import Request

from mock_bsre import errors
from mock_bsre.config import BsreMockConfig
from mock_bsre.errors import Refused
from mock_bsre.identities import STATUSES, Registry, Seal, User, load_registry, read_manifest
from mock_bsre.keys import asn1_cert
from mock_bsre.pdfsign import SignRequest, sign_pdf
from mock_bsre.pki.crl import build_crl
from mock_bsre.state import CscSessions, DocumentStore, OtpStore, OutboxMessage
from mock_bsre.verify import inspect_pdf, v1_report, v2_report

_STATUS_REFUSALS: dict[str, tuple[int, str]] = {
    "NEW": (errors.NO_CERTIFICATE, "User belum memiliki sertifikat (status NEW)"),
    "WAITING_FOR_VERIFICATION": (
        errors.NO_CERTIFICATE,
        "User belum memiliki sertifikat (status WAITING_FOR_VERIFICATION)",
    ),
    "NO_CERTIFICATE": (errors.NO_CERTIFICATE, "User belum memiliki sertifikat"),
    "EXPIRED": (errors.CERT_EXPIRED, "Sertifikat anda sudah kedaluwarsa"),
    "RENEW": (errors.CERT_EXPIRED, "Sertifikat anda sudah kedaluwarsa dan sedang diperbarui"),
    "SUSPEND": (errors.CERT_SUSPENDED, "Sertifikat anda sedang ditangguhkan (SUSPEND)"),
    "REVOKE": (errors.CERT_REVOKED, "Sertifikat anda telah dicabut (REVOKE)"),
}


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class Credentials:
    """How a signer proves it is them: a passphrase or a one-time code (v2 only)."""

    passphrase: str | None = None
    totp: str | None = None


class BsreService:
    def __init__(self, config: BsreMockConfig, pki: Any) -> None:
        self.config = config
        self.pki = pki
        manifest = getattr(pki, "manifest", None) or read_manifest(config.certs_dir)
        self.registry: Registry = load_registry(config.signers_file, manifest)
        self.documents = DocumentStore(config.state_dir)
        self.otps = OtpStore(config.otp_ttl_seconds)
        self.csc = CscSessions(config.csc_token_ttl_seconds, config.sad_ttl_seconds)
        self.trust_roots = [asn1_cert(pki.root)]
        self.other_certs = [asn1_cert(pki.issuing_ca)]

    # -- who is who -------------------------------------------------------------------------------

    def status_of(self, nik: str | None = None, email: str | None = None) -> dict[str, Any]:
        user = self.registry.find(nik, email)
        status = user.status if user else "NOT_REGISTERED"
        code, message = STATUSES[status]
        return {"status_code": code, "status": status, "message": message}

    def register(self, name: Any, email: Any) -> User:
        """``POST /api/v2/user/registration``: a new account (status NO_CERTIFICATE) for ``name`` and ``email``."""
        if not isinstance(name, str) or not name.strip():
            raise Refused(errors.BAD_REQUEST, "nama wajib diisi")
        if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
            raise Refused(errors.BAD_REQUEST, "email wajib diisi dengan alamat email yang valid")
        user = self.registry.register(name, email)
        if user is None:
            raise Refused(errors.BAD_REQUEST, "Email sudah terdaftar")
        return user

    def signer_for(self, nik: str | None, email: str | None, creds: Credentials, n: int) -> User:
        """The user who may sign ``n`` documents now, or :class:`Refused` as the real service
        does.
        """
        user = self.registry.find(nik, email)
        if user is None:
            raise Refused(errors.NOT_REGISTERED, "User tidak terdaftar")
        if user.status != "ISSUE" or not user.certificate:
            code, message = _STATUS_REFUSALS.get(user.status, (errors.NO_CERTIFICATE, "User belum memiliki sertifikat"))
            raise Refused(code, message)
        if creds.totp:
            self.otps.consume(f"nik:{user.nik}", creds.totp, n)
        elif not creds.passphrase or not user.passphrase_ok(creds.passphrase):
            raise Refused(errors.WRONG_PASSPHRASE, "Passphrase anda salah")
        return user

    def request_user_otp(self, nik: str | None, email: str | None, uses: int) -> User:
        user = self.registry.find(nik, email)
        if user is None:
            raise Refused(errors.NOT_REGISTERED, "User tidak terdaftar")
        if user.status != "ISSUE":
            reason, message = _STATUS_REFUSALS.get(user.status, (errors.NO_CERTIFICATE, "-"))
            raise Refused(reason, message)
        otp = self.otps.issue(f"nik:{user.nik}", uses, user.totp_secret)
        self.otps.send(OutboxMessage(user.email, user.nik, None, "sign-totp", otp, uses, time.time()))
        return user

    # -- seal ------------------------------------------------------------------------------------

    def seal(self, id_subscriber: str | None) -> Seal:
        seal = self.registry.seal(id_subscriber)
        if seal is None:
            raise Refused(errors.NOT_REGISTERED, "idSubscriber tidak terdaftar")
        return seal

    # -- signing and verifying -------------------------------------------------------------------

    def _timestamper(self) -> Any:
        return self.pki.timestamper() if self.config.pades_level == "B-T" else None

    async def sign(self, cert_name: str, requests: list[SignRequest]) -> list[bytes]:
        """Sign every request with ``cert_name``'s key, in a worker thread (CPU-bound)."""

        def work() -> list[bytes]:
            signer = self.pki.signer(cert_name)
            stamper = self._timestamper()
            return [sign_pdf(r, signer, stamper, self.config.signature_format) for r in requests]

        return await anyio.to_thread.run_sync(work)

    async def verify(self, pdf: bytes, name: str, version: int, password: str | None = None) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            # Like the real service, revocation counts: fresh CRLs of the test CAs, built in-process.
            crls = [build_crl(self.pki, ca) for ca in ("issuing-ca", "root-ca")]
            reports = inspect_pdf(pdf, self.trust_roots, self.other_certs, password, crls=crls)
            return v1_report(name, reports) if version == 1 else v2_report(name, reports)

        return await anyio.to_thread.run_sync(work)


def service_of(request: Request) -> BsreService:
    """The BsreService the app was built with (every route handler's entry point to the state)."""
    service: BsreService = request.app.state.service
    return service
