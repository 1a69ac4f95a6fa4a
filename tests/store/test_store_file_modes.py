"""The gateway's state is private to its user: directories 0700, files 0600, whatever the umask."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from siakgate.archive.files import copy_verified
from siakgate.store.db import Database
from siakgate.store.documents import DocumentStore

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems give a service: files 0644 unless we say otherwise
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_sqlite_database_is_0600_in_0700_directories(tmp_path: Path) -> None:
    path = tmp_path / "state" / "siakgate" / "siakgate.db"
    db = Database.create(f"sqlite:///{path}")
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.commit()
    finally:
        db.dispose()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(path.parent.parent) == 0o700
    assert all(mode(extra) == 0o600 for extra in path.parent.glob("siakgate.db-*"))  # -wal, -shm


def test_an_existing_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    Database.create(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_documents_and_archive_copies_are_private(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "state" / "documents")
    sha = store.put(PDF, "application/pdf")
    stored = next(path for path in (tmp_path / "state").rglob("*") if path.is_file())
    assert mode(stored) == 0o600
    for directory in [stored.parent, *stored.parent.parents]:
        if directory == tmp_path:
            break
        assert mode(directory) == 0o700, directory
    copy = tmp_path / "archive" / "ab" / f"{sha}.pdf"
    copy_verified(stored, copy, hashlib.sha256(PDF).hexdigest())
    assert mode(copy) == 0o600
    assert mode(copy.parent) == 0o700
    assert mode(copy.parent.parent) == 0o700
