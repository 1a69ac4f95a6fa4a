"""The signing interface: a credential never leaks, results say what happened."""

from __future__ import annotations

import copy
import pickle

import pytest

from siakgate.errors import SigningError
from siakgate.signing import TTE_SENTENCE, Credential, PadesLevel, SigningOptions, SignRequest, SignResult, TteBlock

SECRET = "rahasia-sekali-123"


@pytest.mark.parametrize("make", [Credential.passphrase, Credential.otp])
def test_credential_reveals_the_secret_only_on_request(make: object) -> None:
    credential = make(SECRET)  # type: ignore[operator]
    assert credential.reveal() == SECRET
    for text in (repr(credential), str(credential), f"{credential}", f"{credential!r}", f"{credential}"):
        assert SECRET not in text
        assert "***" in text


def test_credential_kind() -> None:
    assert Credential.passphrase(SECRET).kind == "passphrase"
    assert Credential.otp("123456").kind == "otp"


def test_credential_cannot_be_pickled_or_copied() -> None:
    credential = Credential.passphrase(SECRET)
    with pytest.raises(TypeError):
        pickle.dumps(credential)
    with pytest.raises(TypeError):
        copy.copy(credential)
    with pytest.raises(TypeError):
        copy.deepcopy(credential)


def test_credential_has_no_instance_dict_to_dump() -> None:
    credential = Credential.passphrase(SECRET)
    assert not hasattr(credential, "__dict__")
    assert SECRET not in repr(vars(type(credential)))


def test_wipe_drops_the_secret() -> None:
    credential = Credential.passphrase(SECRET)
    credential.wipe()
    assert credential.wiped
    with pytest.raises(SigningError) as info:
        credential.reveal()
    assert info.value.code == "KREDENSIAL_DIHAPUS"
    assert "wiped" in repr(credential)


def test_credentials_compare_by_identity_not_by_secret() -> None:
    assert Credential.passphrase(SECRET) != Credential.passphrase(SECRET)


def test_credential_refuses_non_strings() -> None:
    with pytest.raises(TypeError):
        Credential.passphrase(b"bytes")  # type: ignore[arg-type]


def test_tte_sentence_names_bsre_and_bssn() -> None:
    assert "ditandatangani secara elektronik" in TTE_SENTENCE
    assert "Balai Sertifikasi Elektronik (BSrE)" in TTE_SENTENCE
    assert "Badan Siber dan Sandi Negara (BSSN)" in TTE_SENTENCE
    assert TteBlock("u", "n", "1").sentence == TTE_SENTENCE


def test_defaults() -> None:
    assert SigningOptions().level is PadesLevel.B_LT
    request = SignRequest("a", b"%PDF-1.7 NIK 3508011205720001")
    assert request.field_name == "TTE"
    assert request.tte is None
    assert "3508011205720001" not in repr(request)  # the document's content is never printed


def test_sign_result_ok() -> None:
    assert SignResult("a", signed_pdf=b"x").ok
    assert not SignResult("a", error=SigningError("gagal")).ok
    assert not SignResult("a").ok
    assert "xxxx" not in repr(SignResult("a", signed_pdf=b"xxxx"))
