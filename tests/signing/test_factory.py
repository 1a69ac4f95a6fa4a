"""One factory for the gateway's and the command line's signing backends: a spec in, the backend out."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from siakgate.errors import SigningConfigError
from siakgate.signing.esign import EsignBackend
from siakgate.signing.factory import BACKEND_KINDS, REQUIRED, BackendSpec, BsreAccess, build_backend
from siakgate.signing.pkcs11 import Pkcs11Backend
from siakgate.signing.pkcs12 import Pkcs12Backend
from siakgate.signing.remote_hash import RemoteHashBackend

P12 = Path(__file__).resolve().parents[2] / "certs" / "p12" / "kepala-dinas.p12"


@pytest.fixture
def access() -> Iterator[BsreAccess]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    yield BsreAccess(http, "http://bsre.test", "siakgate", "rahasia-aplikasi")
    asyncio.run(http.aclose())


def test_every_kind_says_what_it_needs() -> None:
    assert set(REQUIRED) == set(BACKEND_KINDS)
    assert BackendSpec("pkcs11", pkcs11_lib=Path("/lib.so")).missing() == ("pkcs11_token", "pkcs11_key_label")
    assert BackendSpec("esign-v2", esign_nik="").missing() == ("esign_nik",)
    assert BackendSpec("pkcs12", pkcs12_path=P12).missing() == ()


def test_each_kind_builds_its_backend(access: BsreAccess) -> None:
    assert isinstance(build_backend(BackendSpec("pkcs12", pkcs12_path=P12)), Pkcs12Backend)
    pkcs11 = BackendSpec("pkcs11", pkcs11_lib=Path("/lib.so"), pkcs11_token="tok", pkcs11_key_label="kunci")
    assert isinstance(build_backend(pkcs11), Pkcs11Backend)
    assert isinstance(build_backend(BackendSpec("remote-hash", csc_credential_id="kd"), bsre=access), RemoteHashBackend)
    for kind in ("esign-v1", "esign-v2"):
        assert isinstance(build_backend(BackendSpec(kind, esign_nik="3508011205720001"), bsre=access), EsignBackend)


def test_the_bsre_clients_are_shared_by_every_backend_built_with_one_access(access: BsreAccess) -> None:
    """The Kepala Dinas's and the Sekcam's keys log in to CSC once (one client, one token)."""
    build_backend(BackendSpec("remote-hash", csc_credential_id="kepala-dinas"), bsre=access)
    csc = access.csc()
    build_backend(BackendSpec("remote-hash", csc_credential_id="sekcam"), bsre=access)
    assert access.csc() is csc
    assert "rahasia-aplikasi" not in repr(access)


def test_an_incomplete_spec_is_refused() -> None:
    with pytest.raises(SigningConfigError, match="pkcs11 memerlukan pkcs11_token, pkcs11_key_label"):
        build_backend(BackendSpec("pkcs11", pkcs11_lib=Path("/lib.so")))
    with pytest.raises(SigningConfigError, match="akses ke BSrE"):
        build_backend(BackendSpec("remote-hash", csc_credential_id="kd"))
