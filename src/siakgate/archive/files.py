"""File operations of the archive: hashing, and copying that never leaves a bad or half-written copy.

:func:`copy_verified` streams the source into a temporary file in the target's own directory while
hashing it, refuses (and removes the temporary file) if the bytes read do not have the expected SHA-256,
and only then ``fsync``-s and renames it over the target (atomic within one directory on POSIX) and syncs
the directory. So a copy appears whole and good, or not at all — even if the source went bad after it was
checked, or the disk filled up half-way.

Blocking I/O: call from a worker thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Final

from siakgate.errors import CorruptSourceError
from siakgate.store.documents import fsync_directory
from siakgate.store.private import private_dirs

__all__ = ["CopyState", "CorruptSourceError", "copy_verified", "file_state", "sha256_of"]

_CHUNK: Final = 1024 * 1024


class CopyState(StrEnum):
    """What a location holds for one record."""

    OK = "OK"
    MISSING = "HILANG"
    CORRUPT = "RUSAK"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_state(path: Path, sha256: str) -> CopyState:
    """OK, HILANG (absent or unreadable) or RUSAK (present, but other bytes)."""
    try:
        actual = sha256_of(path)
    except FileNotFoundError:
        return CopyState.MISSING
    except IsADirectoryError:
        return CopyState.CORRUPT
    except OSError:
        return CopyState.MISSING
    return CopyState.OK if actual == sha256 else CopyState.CORRUPT


def copy_verified(source: Path, target: Path, sha256: str) -> None:
    """Copy ``source`` to ``target`` atomically, only if the bytes copied hash to ``sha256``."""
    private_dirs(target.parent)  # 0700; the copy itself is 0600 (mkstemp)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(descriptor, "wb") as out, source.open("rb") as src:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise CorruptSourceError(str(source))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_directory(target.parent)
