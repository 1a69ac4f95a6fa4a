"""A signer bound to its regencies: a KK of another regency is refused by every backend before any key is used.

The finding this guards against: a Kab. Bandung family's KK ("KEPALA DINAS ... KABUPATEN BANDUNG" printed on
it) signed with the Lumajang Kepala Dinas's certificate. Each backend is built as the gateway and
``siakgate sign`` build it (:func:`siakgate.signing.factory.build_backend` with the spec's regencies).
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from pades_check import reached_level
from signing_kit import SoftHsmToken, p12_passphrase, p12_path, root_der, tte_block

from mock_common.pytest_plugin import MockService
from mock_siak.draft_pdf import render_draft_kk
from mock_siak.population import generate_population
from siakgate.errors import OutsideJurisdictionError, SigningConfigError
from siakgate.signing import (
    Credential,
    Jurisdiction,
    JurisdictionGuard,
    PadesLevel,
    SigningBackend,
    SigningOptions,
    SignRequest,
    SignResult,
)
from siakgate.signing.factory import BackendSpec, BsreAccess, build_backend
from siakgate.signing.jurisdiction import regency_code
from siakgate.signing.pkcs11 import Pkcs11Backend
from siakgate.signing.pkcs12 import Pkcs12Backend

pytestmark = pytest.mark.anyio

LUMAJANG, BANDUNG = "3508", "3204"
KAB_NAMES = {LUMAJANG: "KABUPATEN LUMAJANG", BANDUNG: "KABUPATEN BANDUNG"}
KEPALA_NIK, BSRE_PASSPHRASE = "3508011205720001", "kepala-dinas-uji-123"  # mock_bsre/signers.yaml
B_B = SigningOptions(level=PadesLevel.B_B)
ESIGN = SigningOptions(level=PadesLevel.B_T, trust_roots=(root_der(),), allow_fetching=False)
WRONG = "WILAYAH_DI_LUAR_KEWENANGAN"


@cache
def _families() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {LUMAJANG: [], BANDUNG: []}
    for family in generate_population(20261201, 200):
        regency = family["NO_PROP"] + family["NO_KAB"]
        if regency in found:
            found[regency].append(family)
    return found


def kk(regency: str, index: int = 0) -> SignRequest:
    """A KK of ``regency`` as SIAK hands it out for the TTE, with its family's 10-digit region code."""
    family = _families()[regency][index]
    region = family["NO_PROP"] + family["NO_KAB"] + family["NO_KEC"] + family["NO_KEL"]
    pdf = render_draft_kk(
        family,
        no_permohonan=f"PMH-{regency}-{index:04d}",
        issued_on=date(2026, 12, 1),
        kepala_dinas_name="Drs. Bambang Setiawan, M.Si.",
        kepala_dinas_nip="197205121998031001",
        kab_name=KAB_NAMES[regency],
        draft=False,
    )
    return SignRequest(f"kk-{regency}-{index}", pdf, tte=tte_block(), region_code=region)


MIXED = (LUMAJANG, BANDUNG, LUMAJANG)


def mixed() -> list[SignRequest]:
    return [kk(regency, i) for i, regency in enumerate(MIXED)]


def bound(backend: SigningBackend) -> Any:
    assert isinstance(backend, JurisdictionGuard)
    return backend.inner


def assert_refused(result: SignResult, code: str = WRONG) -> None:
    assert result.signed_pdf is None
    assert isinstance(result.error, OutsideJurisdictionError)
    assert result.error.code == code


def assert_mixed(requests: Sequence[SignRequest], results: Sequence[SignResult]) -> None:
    assert [r.document_id for r in results] == [r.document_id for r in requests]
    for request, result in zip(requests, results, strict=True):
        if request.region_code is not None and request.region_code.startswith(LUMAJANG):
            assert result.ok, result.error
            assert result.signed_pdf is not None
            assert result.signed_pdf.startswith(request.pdf)
        else:
            assert_refused(result)


# -- the rule ------------------------------------------------------------------------------------------


def test_only_the_regencies_of_the_jurisdiction_are_signed() -> None:
    lumajang = Jurisdiction([LUMAJANG])
    assert lumajang.refusal(kk(LUMAJANG)) is None
    refused = lumajang.refusal(kk(BANDUNG))
    assert refused is not None
    assert refused.code == WRONG
    assert "32.04" in refused.message
    assert "35.08" in refused.message
    both = Jurisdiction([LUMAJANG, BANDUNG])
    assert both.refusal(kk(BANDUNG)) is None
    assert both.describe() == "32.04, 35.08"


@pytest.mark.parametrize("region", [None, "35", "35AB", ""])
def test_a_document_that_cannot_be_placed_is_refused(region: str | None) -> None:
    request = SignRequest("kk", b"%PDF-", region_code=region)
    refused = Jurisdiction([LUMAJANG]).refusal(request)
    assert refused is not None
    assert refused.code == "WILAYAH_TIDAK_DIKETAHUI"


@pytest.mark.parametrize("regencies", [[], ["35"], ["350810"], ["35.08"], ["ABCD"]])
def test_a_jurisdiction_is_a_set_of_4_digit_regency_codes(regencies: list[str]) -> None:
    with pytest.raises(ValueError, match="regency"):
        Jurisdiction(regencies)


def test_regency_code_of_a_region_code() -> None:
    assert regency_code("3508101003") == regency_code("35.08") == regency_code("3508") == "3508"
    with pytest.raises(ValueError):
        regency_code("350")


def test_the_factory_binds_any_kind_and_refuses_a_bad_regency() -> None:
    backend = build_backend(BackendSpec("pkcs12", pkcs12_path=p12_path(), regencies=(LUMAJANG,)))
    assert isinstance(bound(backend), Pkcs12Backend)
    assert backend.name == "pkcs12"
    assert isinstance(build_backend(BackendSpec("pkcs12", pkcs12_path=p12_path())), Pkcs12Backend)  # no binding
    with pytest.raises(SigningConfigError, match="4 digit"):
        build_backend(BackendSpec("pkcs12", pkcs12_path=p12_path(), regencies=("35",)))


class Recorder:
    """A backend that signs nothing and records what reached it."""

    name = "perekam"

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        self.seen.append([r.document_id for r in requests])
        return [SignResult(r.document_id, signed_pdf=b"%PDF-signed") for r in requests]


async def test_the_guard_passes_on_only_the_documents_of_its_jurisdiction() -> None:
    inner = Recorder()
    guard = JurisdictionGuard(inner, Jurisdiction([LUMAJANG]))
    requests = mixed()
    results = await guard.sign_batch(requests, None, B_B)
    assert inner.seen == [["kk-3508-0", "kk-3508-2"]]
    assert [r.ok for r in results] == [True, False, True]
    assert_refused(results[1])
    for result in await guard.sign_batch([kk(BANDUNG, 1), kk(BANDUNG, 2)], None, B_B):
        assert_refused(result)
    assert inner.seen == [["kk-3508-0", "kk-3508-2"]]  # nothing of another regency: the backend is not called


# -- every backend -------------------------------------------------------------------------------------


def pkcs12_backend() -> SigningBackend:
    return build_backend(BackendSpec("pkcs12", pkcs12_path=p12_path(), regencies=(LUMAJANG,)))


async def test_pkcs12_refuses_another_regency_without_opening_the_key() -> None:
    backend = pkcs12_backend()
    results = await backend.sign_batch([kk(BANDUNG, 0), kk(BANDUNG, 1)], Credential.passphrase(p12_passphrase()), B_B)
    for result in results:
        assert_refused(result)
    assert bound(backend).key_loads == 0  # the passphrase was never used


async def test_pkcs12_mixed_batch_signs_its_own_regency() -> None:
    backend = pkcs12_backend()
    requests = mixed()
    results = await backend.sign_batch(requests, Credential.passphrase(p12_passphrase()), B_B)
    assert_mixed(requests, results)
    assert bound(backend).key_loads == 1
    assert results[0].signed_pdf is not None
    assert reached_level(results[0].signed_pdf) is PadesLevel.B_B


def pkcs11_backend(token: SoftHsmToken) -> SigningBackend:
    spec = BackendSpec(
        "pkcs11",
        pkcs11_lib=Path(token.lib),
        pkcs11_token=token.label,
        pkcs11_key_label=token.key_label,
        regencies=(LUMAJANG,),
    )
    return build_backend(spec)


async def test_pkcs11_refuses_another_regency_without_a_session(softhsm_token: SoftHsmToken) -> None:
    backend = pkcs11_backend(softhsm_token)
    (result,) = await backend.sign_batch([kk(BANDUNG)], Credential.passphrase(softhsm_token.pin), B_B)
    assert_refused(result)
    inner = bound(backend)
    assert isinstance(inner, Pkcs11Backend)
    assert inner.sessions_opened == 0  # no login, no PIN sent to the token


async def test_pkcs11_mixed_batch_signs_its_own_regency(softhsm_token: SoftHsmToken) -> None:
    backend = pkcs11_backend(softhsm_token)
    requests = mixed()
    results = await backend.sign_batch(requests, Credential.passphrase(softhsm_token.pin), B_B)
    assert_mixed(requests, results)
    assert bound(backend).sessions_opened == 1


class Sent:
    """What reached (mock) BSrE: each request's path and body."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes]] = []

    async def __call__(self, request: httpx.Request) -> None:
        await request.aread()
        self.requests.append((request.url.path, request.content))

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
async def access(sent: Sent, mock_bsre: MockService) -> AsyncIterator[BsreAccess]:
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [sent]}) as http:
        yield BsreAccess(http, mock_bsre.url, mock_bsre.username, mock_bsre.password)


async def test_remote_hash_refuses_another_regency_before_bsre_is_asked(access: BsreAccess, sent: Sent) -> None:
    backend = build_backend(
        BackendSpec("remote-hash", csc_credential_id="kepala-dinas", regencies=(LUMAJANG,)), bsre=access
    )
    (result,) = await backend.sign_batch([kk(BANDUNG)], Credential.passphrase(BSRE_PASSPHRASE), B_B)
    assert_refused(result)
    assert sent.paths() == []  # no login, no authorisation, no hash sent


async def test_remote_hash_mixed_batch_signs_its_own_regency(access: BsreAccess, sent: Sent) -> None:
    backend = build_backend(
        BackendSpec("remote-hash", csc_credential_id="kepala-dinas", regencies=(LUMAJANG,)), bsre=access
    )
    requests = mixed()
    results = await backend.sign_batch(requests, Credential.passphrase(BSRE_PASSPHRASE), B_B)
    assert_mixed(requests, results)
    authorised = [json.loads(body) for path, body in sent.requests if path.endswith("/credentials/authorize")]
    assert [body["numSignatures"] for body in authorised] == [2]  # the two Lumajang KKs, not the Bandung one


@pytest.mark.parametrize("kind", ["esign-v1", "esign-v2"])
async def test_esign_refuses_another_regency_before_bsre_is_asked(access: BsreAccess, sent: Sent, kind: str) -> None:
    backend = build_backend(BackendSpec(kind, esign_nik=KEPALA_NIK, regencies=(LUMAJANG,)), bsre=access)  # type: ignore[arg-type]
    results = await backend.sign_batch([kk(BANDUNG, 0), kk(BANDUNG, 1)], Credential.passphrase(BSRE_PASSPHRASE), ESIGN)
    for result in results:
        assert_refused(result)
    assert sent.paths() == []  # mock BSrE never saw the Bandung family's KK


@pytest.mark.parametrize("kind", ["esign-v1", "esign-v2"])
async def test_esign_mixed_batch_sends_only_its_own_regency(access: BsreAccess, sent: Sent, kind: str) -> None:
    backend = build_backend(BackendSpec(kind, esign_nik=KEPALA_NIK, regencies=(LUMAJANG,)), bsre=access)  # type: ignore[arg-type]
    requests = mixed()
    results = await backend.sign_batch(requests, Credential.passphrase(BSRE_PASSPHRASE), ESIGN)
    assert_mixed(requests, results)
    if kind == "esign-v1":
        assert sent.paths().count("/api/sign/pdf") == 2
    else:
        (body,) = [json.loads(b) for path, b in sent.requests if path == "/api/v2/sign/pdf"]
        assert [base64.b64decode(f) for f in body["file"]] == [requests[0].pdf, requests[2].pdf]
