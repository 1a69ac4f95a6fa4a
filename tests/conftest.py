"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a document store.

``database`` / ``database_url`` are parametrized ``[sqlite, postgresql]``: every test using them runs
on both. Each test gets its own fresh database (a SQLite file in ``tmp_path``; a PostgreSQL database
``siakgate_t_<random>`` dropped afterwards), copied from a template migrated once per session, so
tests and parallel runs never see each other's rows and migrating costs once.

PostgreSQL: ``SIAKGATE_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
names a database to connect to for ``CREATE DATABASE``. If it is unreachable the PostgreSQL cases
fail when ``CI`` is set and are skipped (with the reason) otherwise.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from siakgate.store import Database, DocumentStore
from siakgate.store.db import normalise_url
from siakgate.store.migrations import schema_diff

ADMIN_URL = os.environ.get("SIAKGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE_KINDS = ["sqlite", "postgresql"]


class PostgresServer:
    """Creates and drops throw-away databases on the test server (autocommit, as CREATE DATABASE needs)."""

    def __init__(self, admin_url: str) -> None:
        self.url = normalise_url(admin_url)
        self.error: str | None = None
        try:
            self._admin().close()
        except psycopg.Error as exc:
            self.error = f"PostgreSQL unreachable at {self.url.render_as_string(hide_password=True)}: {exc}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)

    def require(self) -> None:
        if self.error is None:
            return
        if os.environ.get("CI"):
            pytest.fail(self.error)
        pytest.skip(self.error)

    def create(self, template: str | None = None) -> str:
        name = f"siakgate_t_{secrets.token_hex(6)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self._admin() as connection:
            connection.execute(statement)
        return name

    def drop(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)


def _migrated(url: str) -> str:
    """Migrate ``url`` to head, and insist the result is exactly the models' schema."""
    db = Database.create(url)
    try:
        db.migrate()
        with db.engine.connect() as connection:
            diff = schema_diff(connection)
    finally:
        db.dispose()
    if diff:
        pytest.fail(
            f"the models differ from the migrations ({len(diff)} changes, first: {diff[0]!r}); "
            'make a revision: make migration m="what changed"',
            pytrace=False,
        )
    return url


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    return PostgresServer(ADMIN_URL)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _migrated(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    postgres_server.require()
    name = postgres_server.create()
    try:
        _migrated(postgres_server.url_of(name))
        yield name
    finally:
        postgres_server.drop(name)


def fresh_database_url(request: pytest.FixtureRequest, kind: str, directory: Path, *, migrated: bool) -> str:
    """A new database of ``kind`` (migrated to head, or empty), removed when the test ends."""
    if kind == "sqlite":
        path = directory / f"siakgate-{secrets.token_hex(4)}.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.require()
    name = server.create(request.getfixturevalue("postgres_template") if migrated else None)
    request.addfinalizer(lambda: server.drop(name))
    return server.url_of(name)


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, migrated database (for a gateway started in a subprocess)."""
    return fresh_database_url(request, request.param, tmp_path, migrated=True)


@pytest.fixture
def make_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., str]:
    """``make_database_url(kind, migrated=False)``: one more fresh database for this test (kind: sqlite|postgresql)."""

    def make(kind: str, *, migrated: bool = False) -> str:
        return fresh_database_url(request, kind, tmp_path, migrated=migrated)

    return make


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated :class:`Database` on a fresh database; disposed after the test."""
    db = Database.create(database_url)
    yield db
    db.dispose()


@pytest.fixture
def document_store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents")
