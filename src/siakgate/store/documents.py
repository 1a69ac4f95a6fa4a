"""Content-addressed document store: requirement files, draft and signed KKs, kept by their SHA-256.

A document's name is the hex SHA-256 of its bytes, stored at ``root/ab/cd/<sha>``. Why content
addressing: the same upload twice is one file (``put`` is idempotent, so a retried request costs
nothing), a reference in the database can never point at different bytes later, and corruption is
detectable by re-hashing (:meth:`DocumentStore.verify`; :meth:`DocumentStore.get` checks too).

Writes are atomic: the bytes go to a temporary file in the target's own directory, are flushed and
``fsync``-ed, then renamed over the final name (a rename within one directory is atomic on POSIX), and
the directory is synced. A failure at any point leaves no partial file under the final name and removes
the temporary file, so a crash or a full disk never produces a half document that a later ``get``
would serve.

Uploads are checked before anything is written: not empty, at most ``max_bytes``, and a type sniffed
from the first bytes (PDF, JPEG, PNG; nothing else) that agrees with the declared media type. A
refusal is :class:`~siakgate.errors.DocumentRejectedError` with a stable code and a message in
Bahasa Indonesia. An upload from a caller is also screened by its content
(:meth:`DocumentStore.check_upload`, :mod:`siakgate.store.screening`): a parsed PDF without encryption or
active content, an image that decodes.

The methods are blocking file I/O: call them from a worker thread (inside a ``Database.run`` unit,
or through ``anyio.to_thread.run_sync``), not on the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Final

from siakgate.errors import DocumentRejectedError, NotFoundError, SiakgateError
from siakgate.store.private import private_dirs
from siakgate.store.screening import screen_upload

__all__ = [
    "ACCEPTED_MEDIA_TYPES",
    "DOCUMENT_CORRUPT",
    "DocumentStore",
    "fsync_directory",
    "normalise_media_type",
    "sniff_media_type",
    "write_atomically",
]

PDF: Final = "application/pdf"
JPEG: Final = "image/jpeg"
PNG: Final = "image/png"

ACCEPTED_MEDIA_TYPES: Final = frozenset({PDF, JPEG, PNG})
"""The only types the store accepts, recognised by their magic bytes."""

_MAGIC: Final = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_ALIASES: Final = {"image/jpg": JPEG, "image/pjpeg": JPEG}
_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
_LABELS: Final = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}

DOCUMENT_CORRUPT: Final = "DOKUMEN_RUSAK"
"""The code of the error :meth:`DocumentStore.get` raises for a file whose bytes no longer match its name; a
download then looks for a good archive copy (:mod:`siakgate.archive.recover`)."""


def sniff_media_type(data: bytes) -> str | None:
    """The media type the first bytes announce (PDF, JPEG or PNG), or ``None``."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return None


def normalise_media_type(declared: str) -> str:
    """``"Image/JPG; q=1"`` → ``"image/jpeg"``: the form to store next to a document's hash."""
    base = declared.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


class DocumentStore:
    """Documents on a local file system, named by SHA-256 (see the module docstring)."""

    def __init__(self, root: Path, max_bytes: int = 10 * 1024 * 1024) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.root: Final = Path(root)
        self.max_bytes: Final = max_bytes

    def put(self, data: bytes, media_type: str) -> str:
        """Store ``data`` (checked first) and return its SHA-256 hex; storing it again changes nothing."""
        self._check(data, media_type)
        sha = hashlib.sha256(data).hexdigest()
        target = self._path(sha)
        if target.exists() and self._hash_file(target) == sha:
            return sha
        private_dirs(target.parent)  # 0700; the file itself is 0600 (mkstemp)
        write_atomically(target, data)
        return sha

    def check_upload(self, data: bytes, media_type: str) -> None:
        """Refuse a caller's upload :meth:`put` would refuse, or whose content is not a plain document.

        Run it before :meth:`put` for every upload, outside a database transaction (parsing a large PDF
        takes a while); documents the gateway itself produces skip it (see :mod:`siakgate.store.screening`).
        """
        self._check(data, media_type)
        screen_upload(data, normalise_media_type(media_type))

    def get(self, sha: str) -> bytes:
        """The document's bytes; :class:`NotFoundError` if absent, an error if they no longer match the hash."""
        path = self._existing_path(sha)
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise SiakgateError(
                "Berkas dokumen rusak (isinya tidak sesuai dengan sidik SHA-256); pulihkan dari cadangan.",
                code=DOCUMENT_CORRUPT,
            )
        return data

    def exists(self, sha: str) -> bool:
        """Whether a document with this SHA-256 is stored (a malformed name is simply absent)."""
        return _SHA256_HEX.fullmatch(sha) is not None and self._path(sha).is_file()

    def verify(self, sha: str) -> bool:
        """Re-hash the stored file: ``False`` if it was corrupted; :class:`NotFoundError` if absent."""
        return self._hash_file(self._existing_path(sha)) == sha

    # -- internals ------------------------------------------------------------------------------------

    def _check(self, data: bytes, media_type: str) -> None:
        if not data:
            raise DocumentRejectedError("Dokumen kosong.", code="DOKUMEN_KOSONG")
        if len(data) > self.max_bytes:
            limit = self.max_bytes / (1024 * 1024)
            raise DocumentRejectedError(
                f"Dokumen terlalu besar ({len(data)} bita); batasnya {limit:g} MiB.",
                code="DOKUMEN_TERLALU_BESAR",
            )
        declared = normalise_media_type(media_type)
        sniffed = sniff_media_type(data)
        if sniffed is None or declared not in ACCEPTED_MEDIA_TYPES:
            raise DocumentRejectedError(
                "Jenis dokumen tidak diterima; hanya PDF, JPEG, atau PNG.",
                code="JENIS_DOKUMEN_TIDAK_DITERIMA",
            )
        if sniffed != declared:
            raise DocumentRejectedError(
                f"Isi dokumen adalah {_LABELS[sniffed]}, bukan {_LABELS[declared]} seperti yang disebutkan.",
                code="JENIS_DOKUMEN_TIDAK_SESUAI",
            )

    def _path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / sha

    def _existing_path(self, sha: str) -> Path:
        if _SHA256_HEX.fullmatch(sha) is None or not (path := self._path(sha)).is_file():
            raise NotFoundError("Dokumen tidak ditemukan.", code="DOKUMEN_TIDAK_DITEMUKAN")
        return path

    @staticmethod
    def _hash_file(path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1024 * 1024), b""):
                digest.update(chunk)
        return digest.hexdigest()


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file (0600), fsync and a rename: never half a file at
    ``target``, and the rename itself made durable. The document store and ``siakgate sign`` write this way."""
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_directory(target.parent)


def fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
