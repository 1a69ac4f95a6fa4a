"""Acceptance: KKs signed through every backend are valid and trusted for poppler's pdfsig, and for
pyHanko's ``adesverify`` (its default policy) with no network at all.

pdfsig checks each signed KK against an NSS database that trusts only certs/root-ca.crt, asking mock
BSrE on 127.0.0.1:8082 (``mock_bsre_aia``) for OCSP, as the certificates' AIA says. ``adesverify`` runs
offline (tests/signing/adesverify.py): the KK must carry every piece of evidence itself.

Adding a backend (remote hash, Esign Client): write a ``BackendCase`` factory below and add it to
``BACKENDS`` lists the four backends. A factory gets the pytest ``request`` (for fixtures such as
``mock_bsre_aia``) and returns how to build the backend over an httpx client, and the credential.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio
import httpx
import pytest
from pdfsig_kit import nss_db_trusting

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "signing"))
from adesverify import adesverify
from signing_kit import (
    draft_kk,
    p12_passphrase,
    p12_path,
    root_der,
    shared_softhsm_token,
    softhsm_available,
    tte_block,
)

from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService
from siakgate.bsre import BsreClient, CscClient
from siakgate.signing import Credential, PadesLevel, SigningBackend, SigningOptions, SignRequest
from siakgate.signing.esign import EsignBackend
from siakgate.signing.evidence import add_archival_timestamp, load_roots
from siakgate.signing.pkcs11 import Pkcs11Backend
from siakgate.signing.pkcs12 import Pkcs12Backend
from siakgate.signing.remote_hash import RemoteHashBackend

pytestmark = pytest.mark.pdfsig


@dataclass(frozen=True)
class BackendCase:
    build: Callable[[httpx.AsyncClient], SigningBackend]  # the backends that call BSrE use the client
    credential: Credential | None
    field_name: str = "TTE"  # where the signature lands (the Esign Client makes a field of its own)


def pkcs12_case(request: pytest.FixtureRequest) -> BackendCase:
    backend = Pkcs12Backend(p12_path())
    return BackendCase(lambda _http: backend, Credential.passphrase(p12_passphrase()))


def pkcs11_case(request: pytest.FixtureRequest) -> BackendCase:
    problem = softhsm_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    token = shared_softhsm_token(request.getfixturevalue("tmp_path_factory"))
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("SOFTHSM2_CONF", str(token.conf))
    backend = Pkcs11Backend(token.lib, token.label, key_label=token.key_label)
    return BackendCase(lambda _http: backend, Credential.passphrase(token.pin))


KEPALA_DINAS_NIK, KEPALA_DINAS_PASSPHRASE = "3508011205720001", "kepala-dinas-uji-123"  # mock_bsre/signers.yaml


def remote_hash_case(request: pytest.FixtureRequest) -> BackendCase:
    bsre: MockService = request.getfixturevalue("mock_bsre_aia")
    return BackendCase(
        lambda http: RemoteHashBackend(CscClient(http, bsre.url, bsre.username, bsre.password), "kepala-dinas"),
        Credential.passphrase(KEPALA_DINAS_PASSPHRASE),
    )


def esign_case(api: Literal["v1", "v2"]) -> Callable[[pytest.FixtureRequest], BackendCase]:
    def case(request: pytest.FixtureRequest) -> BackendCase:
        bsre: MockService = request.getfixturevalue("mock_bsre_aia")
        return BackendCase(
            lambda http: EsignBackend(
                BsreClient(http, bsre.url, bsre.username, bsre.password), nik=KEPALA_DINAS_NIK, api=api
            ),
            Credential.passphrase(KEPALA_DINAS_PASSPHRASE),
            field_name="",  # BSrE names its field itself
        )

    return case


BACKENDS: dict[str, Callable[[pytest.FixtureRequest], BackendCase]] = {
    "pkcs12": pkcs12_case,
    "pkcs11": pkcs11_case,
    "remote-hash": remote_hash_case,
    "esign-v1": esign_case("v1"),
    "esign-v2": esign_case("v2"),
}
LEVELS = [PadesLevel.B_B, PadesLevel.B_T, PadesLevel.B_LT]


@pytest.fixture(scope="module")
def nss_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An NSS database trusting only the test root CA (as an office's validator would)."""
    return nss_db_trusting(tmp_path_factory.mktemp("nssdb"), load_pki().certs_dir / "root-ca.crt")


def pdfsig(nss_db: str, pdf: Path) -> str:
    result = subprocess.run(["pdfsig", "-nssdir", nss_db, str(pdf)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def sign_kks(case: BackendCase, level: PadesLevel, aia: MockService, count: int = 2) -> list[bytes]:
    """Sign ``count`` KK drafts through ``case`` at ``level``; every one must come back signed."""
    options = SigningOptions(level=level, timestamp_url=f"{aia.url}/pki/tsa", trust_roots=(root_der(),))
    requests = [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block(f"kk-{i}")) for i in range(count)]

    async def main() -> list[bytes]:
        async with httpx.AsyncClient(timeout=60) as http:
            results = await case.build(http).sign_batch(requests, case.credential, options)
        assert all(r.ok for r in results), [r.error for r in results]
        return [r.signed_pdf for r in results if r.signed_pdf is not None]

    return anyio.run(main)


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_pdfsig_accepts_kks_signed_through_backend(
    backend: str,
    level: PadesLevel,
    request: pytest.FixtureRequest,
    nss_db: str,
    mock_bsre_aia: MockService,
    tmp_path: Path,
) -> None:
    case = BACKENDS[backend](request)
    for index, signed in enumerate(sign_kks(case, level, mock_bsre_aia)):
        path = tmp_path / f"kk-{index}.pdf"
        path.write_bytes(signed)
        output = pdfsig(nss_db, path)
        assert f"Signature Field Name: {case.field_name}" in output
        assert "Signature Type: ETSI.CAdES.detached" in output
        assert "Signature is Valid." in output
        assert "Certificate is Trusted." in output
        assert "Drs. Bambang Setiawan" in output
        if level is PadesLevel.B_B:
            assert "Total document signed" in output


@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA], ids=str)
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_adesverify_offline_accepts_kk_and_its_archival_form(
    backend: str,
    level: PadesLevel,
    request: pytest.FixtureRequest,
    nss_db: str,
    mock_bsre_aia: MockService,
    tmp_path: Path,
) -> None:
    """What a court with no network sees: the KK as signed, and its archival form (a document timestamp
    added by siakgate.archive.renew, or a renewal of one), both VALID for ``adesverify`` offline."""
    case = BACKENDS[backend](request)
    (signed,) = sign_kks(case, level, mock_bsre_aia, count=1)
    archival = anyio.run(add_archival_timestamp, signed, load_roots([root_der()]), f"{mock_bsre_aia.url}/pki/tsa")
    for name, pdf in (("signed", signed), ("archival", archival)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        verdict = adesverify(path, offline=True)
        assert verdict.valid, f"{name}: {verdict.output}"
    output = pdfsig(nss_db, tmp_path / "archival.pdf")
    assert "Signature is Valid." in output
    assert "Certificate is Trusted." in output
