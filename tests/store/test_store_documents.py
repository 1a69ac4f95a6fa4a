"""DocumentStore: content-addressed, idempotent, atomic; refuses what is too big or not a PDF/JPEG/PNG."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from siakgate.api.problems import status_of
from siakgate.errors import DocumentRejectedError, NotFoundError, SiakgateError
from siakgate.store import DocumentStore
from siakgate.store.documents import normalise_media_type, sniff_media_type

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.mark.parametrize(("data", "media_type"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")])
def test_put_get_round_trip(document_store: DocumentStore, data: bytes, media_type: str) -> None:
    sha = document_store.put(data, media_type)
    assert sha == hashlib.sha256(data).hexdigest()
    assert document_store.root / sha[:2] / sha[2:4] / sha in files_under(document_store.root)
    assert document_store.get(sha) == data
    assert document_store.exists(sha)
    assert document_store.verify(sha)


def test_put_is_idempotent(document_store: DocumentStore) -> None:
    first = document_store.put(PDF, "application/pdf")
    path = document_store.root / first[:2] / first[2:4] / first
    written = path.stat().st_mtime_ns
    assert document_store.put(PDF, "application/pdf; charset=binary") == first
    assert files_under(document_store.root) == [path]
    assert path.stat().st_mtime_ns == written  # not rewritten


def test_media_type_aliases_and_parameters(document_store: DocumentStore) -> None:
    assert document_store.put(JPEG, "IMAGE/JPG") == hashlib.sha256(JPEG).hexdigest()


@pytest.mark.parametrize(
    ("data", "media_type", "code"),
    [
        (b"", "application/pdf", "DOKUMEN_KOSONG"),
        (b"GIF89a" + b"\x00" * 20, "image/gif", "JENIS_DOKUMEN_TIDAK_DITERIMA"),
        (b"PK\x03\x04 a zip or docx", "application/pdf", "JENIS_DOKUMEN_TIDAK_DITERIMA"),
        (b"<html>%PDF-</html>", "application/pdf", "JENIS_DOKUMEN_TIDAK_DITERIMA"),
        (PDF, "application/msword", "JENIS_DOKUMEN_TIDAK_DITERIMA"),
        (PNG, "application/pdf", "JENIS_DOKUMEN_TIDAK_SESUAI"),
        (PDF, "image/jpeg", "JENIS_DOKUMEN_TIDAK_SESUAI"),
    ],
)
def test_refusals_write_nothing(document_store: DocumentStore, data: bytes, media_type: str, code: str) -> None:
    with pytest.raises(DocumentRejectedError) as caught:
        document_store.put(data, media_type)
    assert caught.value.code == code
    assert status_of(caught.value) == 422
    assert files_under(document_store.root) == []


def test_size_limit(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path, max_bytes=len(PDF))
    store.put(PDF, "application/pdf")  # exactly at the limit: accepted
    bigger = PDF + b"% padding\n"
    with pytest.raises(DocumentRejectedError) as caught:
        store.put(bigger, "application/pdf")
    assert caught.value.code == "DOKUMEN_TERLALU_BESAR"
    assert "terlalu besar" in caught.value.message
    assert not store.exists(hashlib.sha256(bigger).hexdigest())


def test_default_limit_is_ten_mebibytes(document_store: DocumentStore) -> None:
    assert document_store.max_bytes == 10 * 1024 * 1024
    with pytest.raises(DocumentRejectedError, match="terlalu besar"):
        document_store.put(PDF + b"\0" * (10 * 1024 * 1024), "application/pdf")


@pytest.mark.parametrize("fail_in", ["fsync", "replace"])
def test_a_failing_write_leaves_no_partial_file(
    document_store: DocumentStore, monkeypatch: pytest.MonkeyPatch, fail_in: str
) -> None:
    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fail_in, disk_full)
    with pytest.raises(OSError, match="No space left"):
        document_store.put(PDF, "application/pdf")
    monkeypatch.undo()
    sha = hashlib.sha256(PDF).hexdigest()
    assert files_under(document_store.root) == []  # neither the document nor a temporary file
    assert not document_store.exists(sha)
    assert document_store.put(PDF, "application/pdf") == sha  # and the next attempt works


def test_corruption_is_detected_and_repaired_by_a_new_put(document_store: DocumentStore) -> None:
    sha = document_store.put(PDF, "application/pdf")
    path = document_store.root / sha[:2] / sha[2:4] / sha
    path.write_bytes(PDF.replace(b"1.7", b"1.4"))
    assert document_store.verify(sha) is False
    with pytest.raises(SiakgateError) as caught:
        document_store.get(sha)
    assert caught.value.code == "DOKUMEN_RUSAK"
    document_store.put(PDF, "application/pdf")
    assert document_store.verify(sha)
    assert document_store.get(sha) == PDF


@pytest.mark.parametrize("sha", ["0" * 64, "../../etc/passwd", "A" * 64, "abc", ""])
def test_unknown_or_malformed_names_are_not_found(document_store: DocumentStore, sha: str) -> None:
    assert not document_store.exists(sha)
    with pytest.raises(NotFoundError) as caught:
        document_store.get(sha)
    assert caught.value.code == "DOKUMEN_TIDAK_DITEMUKAN"
    with pytest.raises(NotFoundError):
        document_store.verify(sha)


def test_sniffing() -> None:
    assert sniff_media_type(PDF) == "application/pdf"
    assert sniff_media_type(JPEG) == "image/jpeg"
    assert sniff_media_type(PNG) == "image/png"
    assert sniff_media_type(b"\x89PNG\r\n") is None  # truncated signature
    assert sniff_media_type(b" %PDF-1.7") is None


def test_normalise_media_type() -> None:
    assert normalise_media_type(" Image/JPG ; q=1") == "image/jpeg"
    assert normalise_media_type("application/PDF") == "application/pdf"
