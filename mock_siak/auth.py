"""Who is calling: WS-Security UsernameToken (PasswordText or PasswordDigest) or HTTP Basic.

A request is accepted when it carries at least one credential and every credential it carries is
right (a good Basic header does not excuse a wrong UsernameToken). Any failure is the SOAP fault
TIDAK_BERWENANG, answered with HTTP 500 like every SOAP 1.1 fault, so that a SOAP client (zeep)
reports it as a fault with its code rather than as a bare transport error. Digest tokens must be
fresh (``Created`` within five minutes) and their nonce is remembered for that window, so a captured
token cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from datetime import datetime

from lxml import etree

from mock_siak.errors import TIDAK_BERWENANG, SiakError

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{_PROFILE}#PasswordDigest"
FRESHNESS_SECONDS = 300


def _denied(pesan: str) -> SiakError:
    return SiakError(TIDAK_BERWENANG, pesan)


class Authenticator:
    def __init__(self, clients: dict[str, str], now: Callable[[], float] = time.time) -> None:
        self._clients = dict(clients)
        self._now = now
        self._nonces: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def authenticate(self, authorization: str | None, header: etree._Element | None) -> str:
        """Return the authenticated user name, or raise TIDAK_BERWENANG."""
        users: list[str] = []
        if authorization:
            users.append(self._basic(authorization))
        token = None if header is None else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is not None:
            users.append(self._username_token(token))
        if not users:
            raise _denied("Autentikasi diperlukan (WS-Security UsernameToken atau HTTP Basic).")
        if len(set(users)) != 1:
            raise _denied("Kredensial HTTP Basic dan WS-Security menunjuk pengguna yang berbeda.")
        return users[0]

    def _check(self, username: str, password: str) -> str:
        expected = self._clients.get(username)
        # Compare even for an unknown user, so timing says nothing about which user names exist.
        ok = hmac.compare_digest(password.encode(), (expected or "\0").encode())
        if expected is None or not ok:
            raise _denied("Nama pengguna atau kata sandi salah.")
        return username

    def _basic(self, authorization: str) -> str:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            raise _denied("Skema otorisasi HTTP tidak didukung; gunakan Basic.")
        try:
            username, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _denied("Header otorisasi HTTP Basic rusak.") from exc
        if not sep:
            raise _denied("Header otorisasi HTTP Basic rusak.")
        return self._check(username, password)

    def _username_token(self, token: etree._Element) -> str:
        username = token.findtext(f"{{{WSSE}}}Username") or ""
        password_el = token.find(f"{{{WSSE}}}Password")
        if password_el is None:
            raise _denied("UsernameToken tanpa Password.")
        kind = password_el.get("Type", PASSWORD_TEXT)
        if kind == PASSWORD_TEXT:
            return self._check(username, password_el.text or "")
        if kind != PASSWORD_DIGEST:
            raise _denied("Jenis Password pada UsernameToken tidak didukung.")
        nonce_text = token.findtext(f"{{{WSSE}}}Nonce")
        created = token.findtext(f"{{{WSU}}}Created")
        if not nonce_text or not created:
            raise _denied("PasswordDigest memerlukan Nonce dan Created.")
        try:
            nonce = base64.b64decode(nonce_text, validate=True)
            created_at = datetime.fromisoformat(created).timestamp()
        except (binascii.Error, ValueError) as exc:
            raise _denied("Nonce atau Created pada UsernameToken rusak.") from exc
        now = self._now()
        if abs(now - created_at) > FRESHNESS_SECONDS:
            raise _denied("UsernameToken kedaluwarsa (Created di luar 5 menit).")
        secret = self._clients.get(username, "\0")
        digest = base64.b64encode(
            hashlib.sha1(nonce + created.encode() + secret.encode()).digest()  # noqa: S324 - WSS profile
        ).decode()
        if username not in self._clients or not hmac.compare_digest(digest, password_el.text or ""):
            raise _denied("Nama pengguna atau kata sandi salah.")
        self._remember_nonce(nonce, now)
        return username

    def _remember_nonce(self, nonce: bytes, now: float) -> None:
        with self._lock:
            for seen, expiry in list(self._nonces.items()):
                if expiry < now:
                    del self._nonces[seen]
            if nonce in self._nonces:
                raise _denied("Nonce UsernameToken sudah dipakai (replay).")
            self._nonces[nonce] = now + 2 * FRESHNESS_SECONDS
