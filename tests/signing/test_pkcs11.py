"""The PKCS#11 backend on SoftHSM2: one session per batch; a wrong PIN signs nothing."""

from __future__ import annotations

import anyio
import pytest
from pades_check import reached_level
from signing_kit import SoftHsmToken, draft_kk, tte_block

from siakgate.errors import SigningError, WrongPassphraseError
from siakgate.signing import Credential, PadesLevel, SigningOptions, SignRequest, SignResult
from siakgate.signing.pkcs11 import Pkcs11Backend

B_B = SigningOptions(level=PadesLevel.B_B)


def batch(backend: Pkcs11Backend, credential: Credential | None, count: int = 3) -> list[SignResult]:
    requests = [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block()) for i in range(count)]

    async def main() -> list[SignResult]:
        return await backend.sign_batch(requests, credential, B_B)

    return anyio.run(main)


def backend_for(token: SoftHsmToken, **kwargs: str) -> Pkcs11Backend:
    if not kwargs:
        kwargs = {"key_label": token.key_label}
    return Pkcs11Backend(token.lib, token.label, **kwargs)


def test_one_session_signs_the_batch(softhsm_token: SoftHsmToken) -> None:
    backend = backend_for(softhsm_token)
    results = batch(backend, Credential.passphrase(softhsm_token.pin), count=4)
    assert all(r.ok for r in results), [r.error for r in results]
    assert backend.sessions_opened == 1
    for result in results:
        assert result.signed_pdf is not None
        assert reached_level(result.signed_pdf) is PadesLevel.B_B


def test_certificate_found_by_label(softhsm_token: SoftHsmToken) -> None:
    results = batch(backend_for(softhsm_token, cert_label="kepala-dinas"), Credential.passphrase(softhsm_token.pin), 1)
    assert results[0].ok, results[0].error


def test_wrong_pin_signs_nothing(softhsm_token: SoftHsmToken) -> None:
    backend = backend_for(softhsm_token)
    results = batch(backend, Credential.passphrase("000000"))
    assert all(r.signed_pdf is None for r in results)
    error = results[0].error
    assert isinstance(error, WrongPassphraseError)
    assert error.code == "PIN_SALAH"
    assert backend.sessions_opened == 0
    # the token still works with the right PIN (a wrong PIN once does not lock it)
    assert batch(backend, Credential.passphrase(softhsm_token.pin), count=1)[0].ok


def test_unknown_token(softhsm_token: SoftHsmToken) -> None:
    backend = Pkcs11Backend(softhsm_token.lib, "tidak-ada", key_label="x")
    (result,) = batch(backend, Credential.passphrase(softhsm_token.pin), count=1)
    assert isinstance(result.error, SigningError)
    assert result.error.code == "TOKEN_TIDAK_DITEMUKAN"


def test_unknown_key(softhsm_token: SoftHsmToken) -> None:
    backend = Pkcs11Backend(softhsm_token.lib, softhsm_token.label, key_label="tidak-ada")
    (result,) = batch(backend, Credential.passphrase(softhsm_token.pin), count=1)
    assert isinstance(result.error, SigningError)
    assert result.error.code == "KUNCI_TIDAK_DITEMUKAN"


def test_a_label_is_required() -> None:
    with pytest.raises(ValueError):
        Pkcs11Backend("/nonexistent.so", "t")
