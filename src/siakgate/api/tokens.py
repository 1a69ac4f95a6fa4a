"""API tokens of the calling systems: created, listed and revoked by ``siakgate tokens``, checked per request.

A token is ``sgt_`` + 32 random bytes (URL-safe base64). Only its SHA-256 is stored. Why a fast hash
and not bcrypt/argon2: a slow hash protects *guessable* secrets (passwords) against a stolen table;
a 256-bit random token cannot be guessed whatever the hash, and a plain SHA-256 lets each request find
its token by an indexed equality lookup instead of trying every row. The ``sgt_`` prefix lets secret
scanners recognise a leaked token.

Each token is bound to roles (:class:`siakgate.workflow.profiles.Role`, or ``ADMIN``) and optionally to a region
prefix (2, 4, 6 or 10 digits: province, regency, district, village): a village counter's token sees
only its village. The workflow authorises every action against the :class:`Actor` built from it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from siakgate.errors import TokenError, UnauthenticatedError
from siakgate.service_desk.roles import DESK_ROLES
from siakgate.store.db import Database
from siakgate.store.models import ApiToken
from siakgate.workflow.access import ADMIN_ROLE, Actor
from siakgate.workflow.profiles import Role

__all__ = [
    "TOKEN_PREFIX",
    "TokenError",
    "TokenInfo",
    "UnauthenticatedError",
    "add_token",
    "authenticate",
    "hash_token",
    "list_tokens",
    "revoke_token",
]

TOKEN_PREFIX = "sgt_"  # noqa: S105 - a public prefix, not a secret
REGION_LENGTHS = (2, 4, 6, 10)


@dataclass(frozen=True)
class TokenInfo:
    """What ``siakgate tokens list`` shows: never the token or its hash."""

    name: str
    roles: tuple[str, ...]
    region_prefix: str
    created_at: datetime
    revoked_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


KNOWN_ROLES = (*(role.value for role in Role), ADMIN_ROLE, *DESK_ROLES)
"""The service standards' roles, plus ADMIN (the gateway's operator: repairs and retries) and the complaint
desk's roles (:mod:`siakgate.service_desk.roles`)."""


def _roles(values: Iterable[str]) -> tuple[str, ...]:
    roles: list[str] = []
    for value in values:
        role = value.strip().upper()
        if role not in KNOWN_ROLES:
            known = ", ".join(KNOWN_ROLES)
            raise TokenError(f"Peran tidak dikenal: {value!r}. Peran yang ada: {known}.")
        if role not in roles:
            roles.append(role)
    if not roles:
        raise TokenError("Token memerlukan sedikitnya satu peran (--role).")
    return tuple(roles)


def _region(prefix: str) -> str:
    prefix = prefix.strip()
    if prefix and (not prefix.isdigit() or len(prefix) not in REGION_LENGTHS):
        raise TokenError("Awalan wilayah harus 2, 4, 6 atau 10 digit kode wilayah (mis. 3508 atau 3508200001).")
    return prefix


async def add_token(db: Database, name: str, roles: Iterable[str], region_prefix: str = "", *, now: datetime) -> str:
    """Create a token and return it: the only time it is ever shown (only its hash is kept)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("Nama token wajib diisi (paling panjang 100 karakter).")
    chosen, region = _roles(roles), _region(region_prefix)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    created = now

    def insert(session: Session) -> None:
        if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
            raise TokenError(f"Token bernama {name!r} sudah ada; cabut dulu atau pakai nama lain.")
        session.add(
            ApiToken(
                name=name,
                sha256=hash_token(token),
                roles=list(chosen),
                region_prefix=region,
                created_at=created,
                revoked_at=None,
            )
        )

    try:
        await db.run(insert)
    except IntegrityError as exc:  # two creators raced on the same name
        raise TokenError(f"Token bernama {name!r} sudah ada; cabut dulu atau pakai nama lain.") from exc
    return token


async def list_tokens(db: Database) -> list[TokenInfo]:
    def read(session: Session) -> list[TokenInfo]:
        rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id))
        return [
            TokenInfo(row.name, tuple(row.roles), row.region_prefix, row.created_at, row.revoked_at) for row in rows
        ]

    return await db.run(read, read_only=True)


async def revoke_token(db: Database, name: str, *, now: datetime) -> None:
    """Revoke the named token (it answers 401 from then on); revoking twice is harmless."""
    when = now

    def revoke(session: Session) -> None:
        row = session.scalar(select(ApiToken).where(ApiToken.name == name))
        if row is None:
            raise TokenError(f"Tidak ada token bernama {name!r}.")
        if row.revoked_at is None:
            row.revoked_at = when

    await db.run(revoke)


async def authenticate(db: Database, authorization: str | None) -> Actor:
    """The :class:`Actor` for an ``Authorization: Bearer <token>`` header, or :class:`UnauthenticatedError`."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("Token API diperlukan: kirim header 'Authorization: Bearer <token>'.")
    digest = hash_token(token)

    def find(session: Session) -> tuple[str, str, list[str], str, bool] | None:
        row = session.scalar(select(ApiToken).where(ApiToken.sha256 == digest))
        if row is None:
            return None
        return row.name, row.sha256, list(row.roles), row.region_prefix, row.revoked_at is not None

    found = await db.run(find, read_only=True)
    # compare_digest: the lookup was by hash already; this keeps the final check constant-time anyway.
    if found is None or not hmac.compare_digest(found[1], digest):
        raise UnauthenticatedError("Token API tidak dikenal.")
    name, _, roles, region, revoked = found
    if revoked:
        raise UnauthenticatedError("Token API ini sudah dicabut.")
    return Actor(name=name, roles=frozenset(roles), region_prefix=region)
