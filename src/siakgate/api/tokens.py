"""API tokens of the calling systems: created, listed and revoked by ``siakgate tokens``, checked per request.

A token is ``sgt_`` + 32 random bytes (URL-safe base64). Only its SHA-256 is stored. Why a fast hash
and not bcrypt/argon2: a slow hash protects *guessable* secrets (passwords) against a stolen table;
a 256-bit random token cannot be guessed whatever the hash, and a plain SHA-256 lets each request find
its token by an indexed equality lookup instead of trying every row. The ``sgt_`` prefix lets secret
scanners recognise a leaked token.

Each token is bound to roles (:class:`siakgate.workflow.profiles.Role`, or ``ADMIN``) and optionally to a region
prefix (2, 4, 6 or 10 digits: province, regency, district, village): a village counter's token sees
only its village. The workflow authorises every action against the :class:`Actor` built from it.

A running gateway keeps a :class:`TokenCache`: a token found valid is trusted again for at most
:data:`TOKEN_CACHE_SECONDS` without asking the database, so a request costs no token transaction. What that
means for revocation: :func:`revoke_token` clears the token from every cache of the same database in its own
process at once (the app's own caches, e.g. a revocation through the API or in a test); a revocation by another
process (``siakgate tokens revoke`` while the gateway runs, another gateway worker) takes effect within
:data:`TOKEN_CACHE_SECONDS`. Unknown and revoked tokens are never cached: they are asked for every time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

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
    "TOKEN_CACHE_SECONDS",
    "TOKEN_PREFIX",
    "TokenCache",
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


TOKEN_CACHE_SECONDS: Final = 5.0
"""How long a gateway trusts a token it found valid before asking the database again: the longest a token
revoked by another process (``siakgate tokens revoke``) keeps working."""


class TokenCache:
    """Valid tokens by hash, each trusted for ``ttl`` seconds (``monotonic``: the seam a test pins).

    Thread-safe and bounded (``max_entries``: when full it starts over, never grows). Only valid tokens are
    kept, and only their :class:`Actor` (never the token). Registered per database URL, so that
    :func:`revoke_token` in this process clears a revoked token from every cache of that database at once.
    """

    def __init__(
        self,
        db: Database,
        ttl: float = TOKEN_CACHE_SECONDS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_entries: int = 4096,
    ) -> None:
        self.ttl = ttl
        self._monotonic = monotonic
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._generation = 0
        """Bumped by every :meth:`forget`: a lookup that began before a revocation is not cached after it."""
        self._database = _database_key(db)
        _CACHES.add(self)

    def get(self, digest: str) -> Actor | None:
        with self._lock:
            found = self._entries.get(digest)
            if found is None:
                return None
            if found[0] <= self._monotonic():
                del self._entries[digest]
                return None
            return found[1]

    @property
    def generation(self) -> int:
        return self._generation

    def put(self, digest: str, actor: Actor, generation: int) -> None:
        """Keep ``actor``, found valid by a lookup that began at ``generation`` (unless a revocation came since)."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[digest] = (self._monotonic() + self.ttl, actor)

    def forget(self, name: str) -> None:
        """Drop every entry of the token named ``name`` (revoked)."""
        with self._lock:
            self._generation += 1
            for digest in [d for d, (_, actor) in self._entries.items() if actor.name == name]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_CACHES: Final[weakref.WeakSet[TokenCache]] = weakref.WeakSet()
"""The live caches of this process (an invalidation channel for :func:`revoke_token`; empty at import)."""


def _database_key(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _revoked_here(db: Database, name: str) -> None:
    key = _database_key(db)
    for cache in list(_CACHES):
        if cache._database == key:
            cache.forget(name)


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
    _revoked_here(db, name)  # this process's caches forget it now; other processes within TOKEN_CACHE_SECONDS


async def authenticate(db: Database, authorization: str | None, *, cache: TokenCache | None = None) -> Actor:
    """The :class:`Actor` for an ``Authorization: Bearer <token>`` header, or :class:`UnauthenticatedError`.

    With a ``cache``, a token found valid within its TTL is not looked up again (see :class:`TokenCache`).
    """
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("Token API diperlukan: kirim header 'Authorization: Bearer <token>'.")
    digest = hash_token(token)
    generation = 0
    if cache is not None:
        if (cached := cache.get(digest)) is not None:
            return cached
        generation = cache.generation

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
    actor = Actor(name=name, roles=frozenset(roles), region_prefix=region)
    if cache is not None:
        cache.put(digest, actor, generation)
    return actor
