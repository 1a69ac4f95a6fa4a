"""Tables of the signing workstation (:mod:`siakgate.web`): officers' accounts and their browser sessions.

Why these shapes:

* **WebUser** is a person (a Kasi, a Kepala Dinas), not a calling system: it signs in with a password,
  hashed with argon2id (the hash string carries its own parameters, so they can be raised later and
  old hashes rehashed at the next sign-in). ``failed_attempts`` / ``locked_until`` implement the
  lock-out; ``active`` lets an account be disabled without losing the history written under its name.
* **WebSession** is keyed by the SHA-256 of a 256-bit random token (the cookie holds the token): a
  stolen table does not let anyone ride a session, and a lookup is one indexed equality. Its
  ``csrf_secret`` is the synchroniser token every form of the session must echo.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from siakgate.store.models import Base

__all__ = ["WebSession", "WebUser"]


class WebUser(Base):
    """An officer's account: roles and region as an API token has them, and a password hash."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[Any]] = mapped_column(JSON)
    region_prefix: Mapped[str] = mapped_column(String(10), default="")
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class WebSession(Base):
    """A signed-in browser: expires after ``expires_at`` or after an idle time since ``last_seen_at``."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 (hex) of the cookie's token; the token itself is never stored."""
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    csrf_secret: Mapped[str] = mapped_column(String(64))
