"""The database: one SQLAlchemy 2 engine, units of work, migrations, readiness.

Decision: a **sync** engine whose units of work run in a worker thread
(``anyio.to_thread.run_sync``), not SQLAlchemy's asyncio extension. The same code then serves SQLite
(the standard ``sqlite3`` driver) and PostgreSQL (psycopg 3) with no extra driver (no aiosqlite), there
is no lazy-loading trap (``MissingGreenlet``) in the models, and a unit of work is plain, testable,
synchronous code. The gateway stays async everywhere else; it awaits :meth:`Database.run`.

The API (what the workflow, the API and the tests code against)::

    db = Database.create("sqlite:///var/siakgate.db")   # or "postgresql+psycopg://user@host/db"
    db.migrate()                                         # blocking: alembic upgrade head (start-up)

    def approve(session: Session) -> ApplicationView:    # runs in a worker thread
        app = session.get(Application, app_id)
        ...                                              # change rows, add a Job in the SAME unit
        return view_of(app)                              # build plain views inside: rows stay behind

    view = await db.run(approve)                         # committed before it returns
    rows = await db.run(list_them, read_only=True)       # a read: no writer lock on SQLite

    with db.unit_of_work() as session: ...               # the same, blocking (CLI, tests, inside run)

    workflow_db = db.with_hooks(pipeline)                # the same database; its units of work tell the
                                                         # hooks when they begin, commit and roll back

    # claiming work rows (the worker): SKIP LOCKED on PostgreSQL; on SQLite the unit of work
    # already holds the single writer lock, so the select-then-mark is safe there too.
    def claim(session: Session) -> list[str]:
        jobs = session.scalars(db.claimable(select(Job).where(...).limit(n))).all()
        for job in jobs: job.leased_until = now + lease      # mark them in the same unit
        return [job.id for job in jobs]

    await db.ping()                                      # True/False, for /readyz
    db.dispose()                                         # at shutdown

Guarantees of :meth:`Database.run` / :meth:`Database.unit_of_work`:

* One transaction per call: committed on normal return, rolled back on any exception (which is
  re-raised), so nothing is half-written. The commit has happened before ``run`` returns, so the API
  answers only what is durable.
* Cancelling the awaiting task does not abandon the thread: the unit of work finishes (commits or
  rolls back) before the cancellation is delivered, so the outcome is never "maybe".
* ``expire_on_commit=False``: objects returned stay readable after commit, but build plain views
  inside the function; lazy loads after the unit has ended are errors.
* Do not nest units of work (a unit calling ``run``/``unit_of_work`` again): on SQLite that waits for
  itself.
* A database that is down or locked for too long raises :class:`~siakgate.errors.ServiceUnavailableError`
  (code ``BASIS_DATA_TIDAK_TERSEDIA``), a transient error; constraint violations stay SQLAlchemy's
  ``IntegrityError`` for the caller to interpret (e.g. a repeated idempotency key).

SQLite (the default, embedded): a file URL (the parent directory is created; in-memory databases are
refused, since each thread would see a different one), WAL journal (readers never block the writer),
``synchronous=FULL`` (a commit survives a power cut: acknowledged means durable), ``foreign_keys=ON``,
a busy timeout. SQLite allows one writer at a time: every writing unit of work starts with
``BEGIN IMMEDIATE`` (it takes the write lock up front, so two writers never deadlock on a lock
upgrade) and, inside one process, writers queue on a lock instead of polling SQLite's busy handler;
other processes sharing the file wait through ``busy_timeout``. Read-only units start a deferred
``BEGIN`` and run with ``PRAGMA query_only`` so they cannot write by mistake.

PostgreSQL (``postgresql+psycopg://...``; ``postgresql://`` and ``postgres://`` are read as psycopg 3):
several gateway instances may share one database. Each instance keeps a small pool (``pool_size`` 5 +
``max_overflow`` 5 by default: ten instances stay well under PostgreSQL's default 100 connections),
pings a pooled connection before use (a restarted server or a dropped connection costs a reconnect,
not a failed request), recycles connections after 30 minutes, times out connecting after 10 s and
names itself ``siakgate`` in ``pg_stat_activity``. Read-only units run ``READ ONLY`` transactions.
:meth:`Database.migrate` takes a transaction-scoped advisory lock, so instances starting together
migrate one after another.
"""

from __future__ import annotations

import contextlib
import copy
import sqlite3
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

import anyio.to_thread
from sqlalchemy import Engine, Select, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from siakgate.errors import ServiceUnavailableError
from siakgate.store.private import private_file

__all__ = ["MIGRATIONS_DIR", "Database", "SessionHooks"]

T = TypeVar("T")
RowT = TypeVar("RowT", bound=tuple[Any, ...])

MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")
"""Alembic's script directory, shipped inside the package (no alembic.ini at run time)."""

_MIGRATION_LOCK_KEY: Final = 0x5349414B_67617465 & 0x7FFF_FFFF_FFFF_FFFF
"""PostgreSQL advisory lock key taken while migrating ("SIAKgate")."""

_READ_ONLY: Final = "siakgate_read_only"
"""Execution option marking a read-only unit of work."""

_UNAVAILABLE_MESSAGE: Final = "Basis data tidak tersedia atau sedang sibuk; silakan coba lagi."


class SessionHooks(Protocol):
    """Told about each unit of work of a :meth:`Database.with_hooks` database, in its thread.

    ``begin`` runs first inside the transaction, ``before_commit`` last inside it (what it adds is
    committed too; what it raises rolls everything back), then ``after_commit`` once committed or
    ``after_rollback`` once rolled back. :class:`siakgate.workflow.pipeline.Pipeline` is the one in use.
    """

    def begin(self, session: Session) -> None: ...

    def before_commit(self, session: Session) -> None: ...

    def after_commit(self, session: Session) -> None: ...

    def after_rollback(self, session: Session) -> None: ...


class Database:
    """An engine plus the rules for using it; build it with :meth:`create`, close it with :meth:`dispose`."""

    def __init__(self, engine: Engine, *, sqlite_busy_timeout: float = 30.0) -> None:
        self.engine: Final = engine
        self.dialect_name: Final[str] = engine.dialect.name
        self._busy_timeout = sqlite_busy_timeout
        # Writers queue here inside one process (SQLite only) instead of polling SQLite's busy handler.
        self._writer_lock: threading.Lock | None = threading.Lock() if self.is_sqlite else None
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            bind=engine.execution_options(**{_READ_ONLY: True}),
            expire_on_commit=False,
        )
        self._hooks: SessionHooks | None = None

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        url: str | URL,
        *,
        echo: bool = False,
        pool_size: int = 5,
        max_overflow: int = 5,
        sqlite_busy_timeout: float = 30.0,
    ) -> Database:
        """An engine for ``url`` with siakgate's settings (see the module docstring); nothing connects yet."""
        parsed = normalise_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, echo=echo, busy_timeout=sqlite_busy_timeout)
        elif parsed.get_backend_name() == "postgresql":
            engine = create_engine(
                parsed,
                echo=echo,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_pre_ping=True,
                pool_recycle=1800,
                pool_timeout=30,
                connect_args={"connect_timeout": 10, "application_name": "siakgate"},
            )
            event.listen(engine, "begin", _postgresql_on_begin)
        else:
            raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}")
        return cls(engine, sqlite_busy_timeout=sqlite_busy_timeout)

    def with_hooks(self, hooks: SessionHooks) -> Database:
        """This database (the same engine, pool and writer lock) with ``hooks`` told about every unit of
        work; ``self`` is unchanged. The workflow's transition pipeline is attached this way."""
        bound = copy.copy(self)
        bound._hooks = hooks
        return bound

    @property
    def url(self) -> str:
        """The URL with any password hidden (safe to log)."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect_name == "sqlite"

    @property
    def dialect_supports_skip_locked(self) -> bool:
        """True on PostgreSQL: :meth:`claimable` adds ``FOR UPDATE SKIP LOCKED``."""
        return self.dialect_name == "postgresql"

    # -- units of work --------------------------------------------------------------------------------

    async def run(self, fn: Callable[[Session], T], /, *, read_only: bool = False) -> T:
        """Run ``fn(session)`` in one transaction in a worker thread; committed before this returns."""
        return await anyio.to_thread.run_sync(partial(self._run_blocking, fn, read_only))

    def _run_blocking(self, fn: Callable[[Session], T], read_only: bool) -> T:
        with self.unit_of_work(read_only=read_only) as session:
            return fn(session)

    @contextlib.contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session in one transaction, blocking: committed on exit, rolled back on an exception."""
        lock = None if read_only else self._writer_lock
        if lock is not None and not lock.acquire(timeout=self._busy_timeout):
            raise ServiceUnavailableError(_UNAVAILABLE_MESSAGE, code="BASIS_DATA_TIDAK_TERSEDIA")
        try:
            factory = self._read_sessions if read_only else self._sessions
            with _translated_errors(), factory() as session:
                if self._hooks is None:
                    with session.begin():
                        yield session
                else:
                    yield from _hooked(session, self._hooks)
        finally:
            if lock is not None:
                lock.release()

    def claimable(self, stmt: Select[RowT]) -> Select[RowT]:
        """``stmt`` made safe for claiming work rows among concurrent workers.

        PostgreSQL: ``FOR UPDATE SKIP LOCKED`` (rows another worker holds are skipped, not waited
        for). SQLite: unchanged; a writing unit of work holds the database's single write lock from
        its first statement (``BEGIN IMMEDIATE``), so no other claimer runs until it commits. Either
        way, mark the claimed rows in the same unit of work (and never claim in a ``read_only`` one).
        """
        if self.dialect_supports_skip_locked:
            return stmt.with_for_update(skip_locked=True)
        return stmt

    # -- migrations, readiness, shutdown -------------------------------------------------------------

    def migrate(self, revision: str = "head") -> None:
        """Alembic ``upgrade`` to ``revision`` with the packaged migrations (blocking; run at start-up)."""
        from alembic import command

        with self._migration_connection() as connection:
            command.upgrade(alembic_config(connection), revision)

    def downgrade(self, revision: str) -> None:
        """Alembic ``downgrade`` (tests and operators rolling back a release)."""
        from alembic import command

        with self._migration_connection() as connection:
            command.downgrade(alembic_config(connection), revision)

    @contextlib.contextmanager
    def _migration_connection(self) -> Iterator[Connection]:
        lock = self._writer_lock
        if lock is not None:
            lock.acquire()
        try:
            with _translated_errors(), self.engine.begin() as connection:
                if self.dialect_name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                yield connection
        finally:
            if lock is not None:
                lock.release()

    async def ping(self) -> bool:
        """Whether the database answers a trivial query now (for ``/readyz``); never raises."""

        def probe() -> bool:
            try:
                with self.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except DBAPIError:
                return False
            return True

        return await anyio.to_thread.run_sync(probe)

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown; the object must not be used afterwards)."""
        self.engine.dispose()


def _hooked(session: Session, hooks: SessionHooks) -> Iterator[Session]:
    """One transaction on ``session`` with ``hooks`` told where it begins, commits or rolls back."""
    try:
        with session.begin():
            hooks.begin(session)
            yield session
            hooks.before_commit(session)
    except BaseException:
        hooks.after_rollback(session)
        raise
    hooks.after_commit(session)


def normalise_url(url: str | URL) -> URL:
    """Read ``postgresql://`` and ``postgres://`` as psycopg 3 (the only PostgreSQL driver installed)."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic ``Config`` built in code (no alembic.ini); ``connection`` is handed to env.py."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _sqlite_engine(url: URL, *, echo: bool, busy_timeout: float) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:") or url.query.get("mode") == "memory":
        raise ValueError("an in-memory SQLite database cannot be shared between threads: use a file URL")
    if url.query.get("uri") not in ("true", "1"):
        private_file(Path(database).expanduser())  # 0600 in a 0700 directory (siakgate.store.private)
    # The pool holds as many connections as units of work can run at once (anyio's 40 worker threads), so a
    # burst of requests never closes and reopens connections (each open re-runs the pragmas below).
    engine = create_engine(
        url,
        echo=echo,
        pool_size=20,
        max_overflow=20,
        connect_args={"timeout": busy_timeout, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, decides where transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("PRAGMA query_only=ON")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # query_only is a connection setting, not a transactional one: undo it for the next user.
        # (None: the connection was invalidated and will not be reused; an error: the same.)
        if dbapi_connection is not None:
            with contextlib.suppress(sqlite3.Error):
                dbapi_connection.execute("PRAGMA query_only=OFF")

    return engine


def _postgresql_on_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


_SQLITE_TRANSIENT: Final = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")


def _is_transient(exc: DBAPIError) -> bool:
    """Down, locked, busy or dropped: worth trying again later (not a bug in the statement)."""
    name = getattr(exc.orig, "sqlite_errorname", None)
    if name is not None:
        return bool(name.startswith(_SQLITE_TRANSIENT))
    # psycopg: connection failures, serialization failures, deadlocks, cancelled statements.
    return isinstance(exc, OperationalError)


@contextlib.contextmanager
def _translated_errors() -> Iterator[None]:
    """An unreachable, locked or dropped database becomes our transient error; the rest passes through."""
    try:
        yield
    except DBAPIError as exc:
        if _is_transient(exc):
            raise ServiceUnavailableError(_UNAVAILABLE_MESSAGE, code="BASIS_DATA_TIDAK_TERSEDIA") from exc
        raise
    except PoolTimeoutError as exc:
        raise ServiceUnavailableError(_UNAVAILABLE_MESSAGE, code="BASIS_DATA_TIDAK_TERSEDIA") from exc
