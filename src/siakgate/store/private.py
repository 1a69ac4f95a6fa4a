"""The gateway's state is for the gateway's user only: directories 0700, files 0600.

The SQLite database, the documents and the archive copies hold families' personal data; a umask of
022 (the usual default) would leave them readable by every local account. Directories the gateway
creates are created 0700 (every missing level, not only the last one, as ``Path.mkdir(parents=True)``
would); files are created 0600 (the document store and the archive write through ``mkstemp``, which
already does; the database file is made here before SQLite opens it, and its ``-wal`` and ``-shm``
files inherit its mode). An existing directory is left as the operator made it (``/var/lib/siakgate``
may be managed by systemd).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["DIR_MODE", "FILE_MODE", "private_dirs", "private_file"]

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dirs(path: Path) -> None:
    """Create ``path`` and any missing parents, each 0700 (whatever the umask)."""
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(mode=DIR_MODE)
            os.chmod(directory, DIR_MODE)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if absent; an existing one of ours is narrowed to 0600."""
    private_dirs(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        with contextlib.suppress(PermissionError):  # not ours to change: leave it as it is
            os.chmod(path, os.stat(path).st_mode & FILE_MODE)
        return
    os.close(descriptor)
