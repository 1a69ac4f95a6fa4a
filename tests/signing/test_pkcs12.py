"""The PKCS#12 backend: the passphrase opens the file once per batch; a wrong one signs nothing."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from signing_kit import draft_kk, p12_passphrase, p12_path, tte_block

from siakgate.errors import SigningError, WrongPassphraseError
from siakgate.signing import Credential, PadesLevel, SigningOptions, SignRequest, SignResult
from siakgate.signing.pkcs12 import Pkcs12Backend, load_pkcs12

B_B = SigningOptions(level=PadesLevel.B_B)


def batch(backend: Pkcs12Backend, credential: Credential | None, count: int = 3) -> list[SignResult]:
    requests = [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block()) for i in range(count)]

    async def main() -> list[SignResult]:
        return await backend.sign_batch(requests, credential, B_B)

    return anyio.run(main)


def test_key_is_loaded_once_per_batch() -> None:
    backend = Pkcs12Backend(p12_path())
    assert all(r.ok for r in batch(backend, Credential.passphrase(p12_passphrase()), count=4))
    assert backend.key_loads == 1
    assert all(r.ok for r in batch(backend, Credential.passphrase(p12_passphrase()), count=2))
    assert backend.key_loads == 2


def test_wrong_passphrase_signs_nothing() -> None:
    results = batch(Pkcs12Backend(p12_path()), Credential.passphrase("bukan-passphrase"))
    assert all(r.signed_pdf is None for r in results)
    errors = {id(r.error) for r in results}
    assert len(errors) == 1
    error = results[0].error
    assert isinstance(error, WrongPassphraseError)
    assert error.code == "PASSPHRASE_SALAH"
    assert "bukan-passphrase" not in str(error)


def test_missing_passphrase() -> None:
    results = batch(Pkcs12Backend(p12_path()), None, count=1)
    assert isinstance(results[0].error, WrongPassphraseError)
    assert results[0].error.code == "PASSPHRASE_KOSONG"


def test_missing_file(tmp_path: Path) -> None:
    results = batch(Pkcs12Backend(tmp_path / "tidak-ada.p12"), Credential.passphrase("x"), count=1)
    assert isinstance(results[0].error, SigningError)
    assert results[0].error.code == "KUNCI_TIDAK_ADA"


def test_not_a_pkcs12_file(tmp_path: Path) -> None:
    path = tmp_path / "bukan.p12"
    path.write_bytes(b"-----BEGIN NOTHING-----")
    results = batch(Pkcs12Backend(path), Credential.passphrase("x"), count=1)
    assert isinstance(results[0].error, SigningError)
    assert results[0].error.code == "PKCS12_TIDAK_VALID"


def test_ecdsa_key_signs() -> None:
    signer = load_pkcs12(p12_path("office-seal").read_bytes(), p12_passphrase("office-seal"))
    (signature,) = signer.sign_all([b"data"], "sha256")
    assert signature.startswith(b"\x30")  # DER SEQUENCE (r, s)


def test_unknown_digest() -> None:
    signer = load_pkcs12(p12_path().read_bytes(), p12_passphrase())
    with pytest.raises(SigningError):
        signer.sign_all([b"data"], "md5")
