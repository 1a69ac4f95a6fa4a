"""The packaged migrations produce exactly the models' schema, on SQLite and PostgreSQL, and go down and up again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import inspect

from siakgate.store import Database
from siakgate.store.migrations import schema_diff as diff_on
from siakgate.store.schema import metadata


def schema_diff(db: Database) -> list[Any]:
    with db.engine.connect() as connection:
        return diff_on(connection)


def table_names(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, make_database_url: Callable[..., str]) -> Iterator[Database]:
    db = Database.create(make_database_url(request.param))
    yield db
    db.dispose()


def test_migrations_match_the_models(database: Database) -> None:
    assert schema_diff(database) == []
    assert set(metadata.tables) <= table_names(database)


def test_a_model_change_without_a_migration_shows_as_a_diff(database: Database) -> None:
    # The comparison can fail: drop an index the models declare and it is reported.
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_jobs_due")
    diff = schema_diff(database)
    assert [entry[0] for entry in diff] == ["add_index"]


def test_upgrade_downgrade_upgrade(empty_database: Database) -> None:
    assert table_names(empty_database) == set()
    empty_database.migrate()
    assert schema_diff(empty_database) == []
    empty_database.downgrade("base")
    assert table_names(empty_database) == {"alembic_version"}
    empty_database.migrate()
    assert schema_diff(empty_database) == []


def test_migrate_twice_is_harmless(database: Database) -> None:
    database.migrate()
    assert schema_diff(database) == []


def test_instances_migrating_at_once_do_not_collide(empty_database: Database) -> None:
    # Two gateway instances starting together: the second waits for the first, then finds nothing to do.
    other = Database.create(empty_database.engine.url)
    errors: list[BaseException] = []

    def start(db: Database) -> None:
        try:
            db.migrate()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in (empty_database, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    other.dispose()
    assert errors == []
    assert schema_diff(empty_database) == []


def test_the_check_command_agrees() -> None:
    from siakgate.store.migrations.__main__ import main

    assert main(["check"]) == 0
