"""Officers' accounts: create, list, disable (``siakgate users``), and check a password at sign-in.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``, RFC 9106 parameters); a hash
made under older parameters is replaced at the next successful sign-in.

Sign-in never says *why* it failed: an unknown name, a wrong password, a disabled or a locked account
all give the same :class:`SignInRefused`, and an unknown name still costs one argon2 verification (a
dummy hash), so neither the message nor the time tells whether the name exists.

Failures are counted per client address first (:mod:`siakgate.web.throttle`): one address failing an
account locks it for that address only. The account itself (``locked_until``, shared by every gateway)
is locked only after ``max_failures`` consecutive failures *and* failures from ``lock_addresses``
distinct addresses, for ``account_lockout``; while locked, even the right password is refused (and
does not count as a failure).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from siakgate.errors import AccountError, SignInRefused
from siakgate.store.db import Database
from siakgate.store.models_web import WebSession, WebUser
from siakgate.web.config import WebConfig
from siakgate.workflow.access import ADMIN_ROLE, Actor
from siakgate.workflow.profiles import Role

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountError",
    "Officer",
    "SignInRefused",
    "UserInfo",
    "add_user",
    "check_password",
    "disable_user",
    "list_users",
]

log = logging.getLogger("siakgate.web")

MIN_PASSWORD_LENGTH = 10
KNOWN_ROLES = (*(role.value for role in Role if role is not Role.SYSTEM), ADMIN_ROLE)
REGION_LENGTHS = (2, 4, 6, 10)
"""As for API tokens (:mod:`siakgate.api.tokens`), which this package does not import: the API imports it."""
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("siakgate-dummy-password-for-timing")


@dataclass(frozen=True)
class Officer:
    """A signed-in person: the workflow sees them as an :class:`Actor` named by their username."""

    user_id: int
    username: str
    full_name: str
    roles: frozenset[str]
    region_prefix: str

    @property
    def actor(self) -> Actor:
        return Actor(name=self.username, roles=self.roles, region_prefix=self.region_prefix)

    def has_any(self, roles: Iterable[str]) -> bool:
        return self.actor.has_any(roles)


@dataclass(frozen=True)
class UserInfo:
    """What ``siakgate users list`` shows: never the hash."""

    username: str
    full_name: str
    roles: tuple[str, ...]
    region_prefix: str
    active: bool
    locked_until: datetime | None


def officer_of(user: WebUser) -> Officer:
    return Officer(user.id, user.username, user.full_name, frozenset(user.roles), user.region_prefix)


def _username(value: str) -> str:
    name = value.strip().lower()
    if not (3 <= len(name) <= 64) or not all(c.isalnum() or c in "._-" for c in name) or not name.isascii():
        raise AccountError("Nama pengguna 3-64 karakter: huruf, angka, titik, garis bawah atau tanda hubung.")
    return name


def _roles(values: Iterable[str]) -> list[str]:
    roles: list[str] = []
    for value in values:
        role = value.strip().upper()
        if role not in KNOWN_ROLES:
            raise AccountError(f"Peran tidak dikenal: {value!r}. Peran yang ada: {', '.join(KNOWN_ROLES)}.")
        if role not in roles:
            roles.append(role)
    if not roles:
        raise AccountError("Akun memerlukan sedikitnya satu peran (--role).")
    return roles


def _region(prefix: str) -> str:
    prefix = prefix.strip()
    if prefix and (not prefix.isdigit() or len(prefix) not in REGION_LENGTHS):
        raise AccountError("Awalan wilayah harus 2, 4, 6 atau 10 digit kode wilayah (mis. 3508).")
    return prefix


def _password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Kata sandi paling sedikit {MIN_PASSWORD_LENGTH} karakter.")
    if len(password) > 1024:
        raise AccountError("Kata sandi terlalu panjang (paling banyak 1024 karakter).")
    return password


async def add_user(
    db: Database,
    username: str,
    password: str,
    roles: Iterable[str],
    *,
    region_prefix: str = "",
    full_name: str = "",
    config: WebConfig | None = None,
) -> None:
    """Create an account (validated first: nothing is written when something is wrong)."""
    name, chosen, region = _username(username), _roles(roles), _region(region_prefix)
    digest = _hasher.hash(_password(password))
    now = (config or WebConfig()).now()
    display = full_name.strip()[:200] or name

    def insert(session: Session) -> None:
        if session.scalar(select(WebUser.id).where(WebUser.username == name)) is not None:
            raise AccountError(f"Akun {name!r} sudah ada.")
        session.add(
            WebUser(
                username=name,
                full_name=display,
                password_hash=digest,
                roles=chosen,
                region_prefix=region,
                failed_attempts=0,
                locked_until=None,
                active=True,
                created_at=now,
            )
        )

    try:
        await db.run(insert)
    except IntegrityError as exc:  # two creators raced on the same name
        raise AccountError(f"Akun {name!r} sudah ada.") from exc


async def list_users(db: Database) -> list[UserInfo]:
    def read(session: Session) -> list[UserInfo]:
        rows = session.scalars(select(WebUser).order_by(WebUser.username))
        return [
            UserInfo(r.username, r.full_name, tuple(r.roles), r.region_prefix, r.active, r.locked_until) for r in rows
        ]

    return await db.run(read, read_only=True)


async def user_exists(db: Database, username: str) -> bool:
    name = username.strip().lower()

    def read(session: Session) -> bool:
        return session.scalar(select(WebUser.id).where(WebUser.username == name)) is not None

    return await db.run(read, read_only=True)


async def disable_user(db: Database, username: str) -> None:
    """Disable the account and end its sessions (its history stays under its name)."""
    name = username.strip().lower()

    def disable(session: Session) -> None:
        user = session.scalar(select(WebUser).where(WebUser.username == name))
        if user is None:
            raise AccountError(f"Tidak ada akun bernama {name!r}.")
        user.active = False
        for row in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
            session.delete(row)

    await db.run(disable)


async def set_password(db: Database, username: str, password: str) -> None:
    """Give the account a new password (validated first), unlock it, enable it, and end its sessions: whoever
    was signed in with the old password signs in again."""
    name = username.strip().lower()
    digest = _hasher.hash(_password(password))

    def update(session: Session) -> None:
        user = session.scalar(select(WebUser).where(WebUser.username == name))
        if user is None:
            raise AccountError(f"Tidak ada akun bernama {name!r}.")
        user.password_hash = digest
        user.failed_attempts = 0
        user.locked_until = None
        user.active = True
        for row in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
            session.delete(row)

    await db.run(update)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def check_password(
    db: Database, username: str, password: str, config: WebConfig, *, addresses: int = 1
) -> Officer:
    """The officer for a right password on an active, unlocked account; else :class:`SignInRefused`.

    ``addresses``: how many distinct client addresses will have failed this account recently if this try
    fails (:meth:`siakgate.web.throttle.SignInThrottle.addresses_if_failed`); the account is locked for
    everyone only when it reaches ``config.lock_addresses``.

    The argon2 verification (tens of milliseconds) runs in the database's worker thread, inside the
    unit of work that records the outcome, so concurrent failures are counted exactly.
    """
    name = username.strip().lower()[:64]

    def unit(session: Session) -> Officer | None:
        now = config.now()
        user = session.scalar(select(WebUser).where(WebUser.username == name).with_for_update())
        if user is None:
            _verify(_DUMMY_HASH, password)
            return None
        matches = _verify(user.password_hash, password)
        if not user.active:
            return None
        if user.locked_until is not None and user.locked_until > now:
            return None
        if not matches:
            user.failed_attempts = (user.failed_attempts or 0) + 1
            if user.failed_attempts >= config.max_failures and addresses >= config.lock_addresses:
                user.locked_until = now + config.account_lockout
                user.failed_attempts = 0
                log.warning("web account locked user_id=%s", user.id)
            return None
        user.failed_attempts = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        return officer_of(user)

    officer = await db.run(unit)
    if officer is None:
        raise SignInRefused(config.max_failures, int(config.lockout.total_seconds() // 60))
    return officer
