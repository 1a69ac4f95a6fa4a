"""Browser sessions and their CSRF tokens.

The cookie carries a 256-bit random token; the database keeps only its SHA-256 (see
:mod:`siakgate.store.models_web`). A session ends at sign-out, after ``session_idle`` without a
request, or ``session_lifetime`` after sign-in, whichever comes first; an ended session is deleted
when it is next presented.

CSRF: each session has its own random secret (the synchroniser token). Every state-changing request
must echo it, in the form field ``csrf_token`` or the header ``X-CSRF-Token``; it is compared in
constant time. Before sign-in there is no session yet, so the sign-in form uses a double-submit
cookie (a random pre-session cookie that the form must repeat).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from siakgate.store.db import Database
from siakgate.store.models_web import WebSession, WebUser
from siakgate.web.accounts import Officer, officer_of
from siakgate.web.config import WebConfig

__all__ = [
    "SESSION_COOKIE",
    "SignedIn",
    "constant_time_equal",
    "end_session",
    "find_session",
    "start_session",
]

SESSION_COOKIE = "siakgate_ws"
_TOUCH_EVERY = timedelta(seconds=30)
"""last_seen_at is written at most this often (not one UPDATE per page load)."""


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, and the CSRF token their forms must carry."""

    session_id: str
    officer: Officer
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def constant_time_equal(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


async def start_session(db: Database, officer: Officer, config: WebConfig) -> tuple[str, SignedIn]:
    """A new session for ``officer``: the cookie token (shown only here) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = config.now()
    digest = _digest(token)

    def insert(session: Session) -> None:
        # Housekeeping: the officer's ended sessions go (keeps the table small without a cron job).
        session.execute(delete(WebSession).where(WebSession.user_id == officer.user_id, WebSession.expires_at <= now))
        session.add(
            WebSession(
                id=digest,
                user_id=officer.user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + config.session_lifetime,
                csrf_secret=csrf,
            )
        )

    await db.run(insert)
    return token, SignedIn(digest, officer, csrf)


async def find_session(db: Database, token: str | None, config: WebConfig) -> SignedIn | None:
    """The live session of a cookie token, or None (unknown, expired, idle too long, account disabled)."""
    if not token or len(token) > 128:
        return None
    digest = _digest(token)

    def unit(session: Session) -> SignedIn | None:
        now = config.now()
        row = session.get(WebSession, digest)
        if row is None or not constant_time_equal(row.id, digest):
            return None
        user = session.get(WebUser, row.user_id)
        if user is None or not user.active or row.expires_at <= now or row.last_seen_at + config.session_idle <= now:
            session.delete(row)
            return None
        if now - row.last_seen_at >= _TOUCH_EVERY:
            row.last_seen_at = now
        return SignedIn(row.id, officer_of(user), row.csrf_secret)

    return await db.run(unit)


async def end_session(db: Database, session_id: str) -> None:
    def unit(session: Session) -> None:
        session.execute(delete(WebSession).where(WebSession.id == session_id))

    await db.run(unit)
