"""Each PAdES level, through each local backend, passes pyHanko's AdES validation at that level."""

from __future__ import annotations

import anyio
import pytest
from pades_check import assert_level, reached_level
from signing_kit import SoftHsmToken, draft_kk, p12_passphrase, p12_path, root_der, tte_block

from mock_common.pytest_plugin import MockService
from siakgate.signing import Credential, PadesLevel, SigningBackend, SigningOptions, SignRequest, SignResult
from siakgate.signing.pkcs11 import Pkcs11Backend
from siakgate.signing.pkcs12 import Pkcs12Backend


def sign_with(backend: SigningBackend, secret: str, options: SigningOptions, count: int = 2) -> list[SignResult]:
    requests = [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block(f"kk-{i}")) for i in range(count)]

    async def main() -> list[SignResult]:
        return await backend.sign_batch(requests, Credential.passphrase(secret), options)

    return anyio.run(main)


def options_for(level: PadesLevel, aia: MockService) -> SigningOptions:
    return SigningOptions(level=level, timestamp_url=f"{aia.url}/pki/tsa", trust_roots=(root_der(),))


@pytest.mark.parametrize("level", list(PadesLevel))
def test_pkcs12_levels(level: PadesLevel, mock_bsre_aia: MockService) -> None:
    results = sign_with(Pkcs12Backend(p12_path()), p12_passphrase(), options_for(level, mock_bsre_aia))
    for result in results:
        assert result.ok, result.error
        assert result.signed_pdf is not None
        assert_level(result.signed_pdf, level)


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_LT])
def test_pkcs11_levels(level: PadesLevel, softhsm_token: SoftHsmToken, mock_bsre_aia: MockService) -> None:
    backend = Pkcs11Backend(softhsm_token.lib, softhsm_token.label, key_label=softhsm_token.key_label)
    results = sign_with(backend, softhsm_token.pin, options_for(level, mock_bsre_aia))
    for result in results:
        assert result.ok, result.error
        assert result.signed_pdf is not None
        assert_level(result.signed_pdf, level)


def test_the_default_level_is_b_lt(mock_bsre_aia: MockService) -> None:
    options = SigningOptions(timestamp_url=f"{mock_bsre_aia.url}/pki/tsa", trust_roots=(root_der(),))
    (result,) = sign_with(Pkcs12Backend(p12_path()), p12_passphrase(), options, count=1)
    assert result.signed_pdf is not None
    assert reached_level(result.signed_pdf) is PadesLevel.B_LT


def test_a_tampered_copy_fails_validation(mock_bsre_aia: MockService) -> None:
    (result,) = sign_with(Pkcs12Backend(p12_path()), p12_passphrase(), options_for(PadesLevel.B_B, mock_bsre_aia), 1)
    assert result.signed_pdf is not None
    tampered = result.signed_pdf.replace(b"KARTU KELUARGA", b"KARTU KELUARGB", 1)
    if tampered == result.signed_pdf:  # text is in a compressed stream: flip a byte inside the first signed range
        data = bytearray(result.signed_pdf)
        data[200] ^= 0x01
        tampered = bytes(data)
    with pytest.raises(AssertionError):
        assert_level(tampered, PadesLevel.B_B)
