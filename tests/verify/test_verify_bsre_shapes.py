"""Documents signed by mock BSrE (v1 and v2): siakgate's verdict, and its BSrE-shaped answers compared
with what mock BSrE's own verify endpoints answer for the same document (same keys, same types)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import verify_kit as kit

from siakgate.signing.api import PadesLevel
from siakgate.verify import verify_pdf_sync

KEPALA = {"nik": "3508011205720001", "passphrase": "kepala-dinas-uji-123"}


@pytest.fixture(scope="module")
def bsre(mock_bsre_aia) -> httpx.Client:
    with httpx.Client(base_url=mock_bsre_aia.url, auth=mock_bsre_aia.auth, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def signed_v1(bsre: httpx.Client) -> bytes:
    response = bsre.post(
        "/api/sign/pdf",
        files={"file": ("kk.pdf", kit.make_pdf(), "application/pdf")},
        data={**KEPALA, "tampilan": "invisible", "reason": "TTE KK", "location": "Lumajang"},
    )
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture(scope="module")
def signed_v2(bsre: httpx.Client) -> bytes:
    body = {
        **KEPALA,
        "signatureProperties": [{"tampilan": "INVISIBLE"}],
        "file": [base64.b64encode(kit.make_pdf()).decode()],
    }
    response = bsre.post("/api/v2/sign/pdf", json=body)
    assert response.status_code == 200, response.text
    return base64.b64decode(response.json()["file"][0])


def shape(value: Any) -> Any:
    """Keys (recursively) and scalar types; None matches any type (a field may be empty in one answer)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None if value is None else type(value).__name__


def same_shape(ours: Any, theirs: Any, path: str = "$") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        problems = [f"{path}: keys differ {sorted(set(ours) ^ set(theirs))}"] if set(ours) != set(theirs) else []
        for key in set(ours) & set(theirs):
            problems += same_shape(ours[key], theirs[key], f"{path}.{key}")
        return problems
    if isinstance(ours, list) and isinstance(theirs, list):
        return same_shape(ours[0], theirs[0], f"{path}[0]") if ours and theirs else []
    if ours is None or theirs is None or ours == theirs:
        return []
    return [f"{path}: {ours} != {theirs}"]


@pytest.mark.parametrize("which", ["signed_v1", "signed_v2"])
def test_mock_bsre_signed_documents_verify(which: str, request: pytest.FixtureRequest) -> None:
    pdf = request.getfixturevalue(which)
    report = verify_pdf_sync(pdf, trust_roots=[kit.ROOT_DER], allow_fetching=True)
    assert report.valid, report.summary_id()
    (sig,) = report.signatures
    assert sig.signer.name == "Drs. Bambang Setiawan, M.Si."
    assert sig.level is PadesLevel.B_T  # mock BSrE timestamps by default
    assert sig.timestamp is not None
    assert sig.timestamp.tsa_name == "siakgate Test TSA"


def test_v1_shape_matches_mock_bsre(bsre: httpx.Client, signed_v1: bytes) -> None:
    theirs = bsre.post("/api/sign/verify", files={"signed_file": ("kk.pdf", signed_v1, "application/pdf")}).json()
    ours = verify_pdf_sync(signed_v1, trust_roots=[kit.ROOT_DER], document_name="kk.pdf").to_bsre_v1()
    assert same_shape(shape(ours), shape(theirs)) == []
    assert ours["summary"] == theirs["summary"] == "DOCUMENT VALID !!!"
    assert ours["notes"] == theirs["notes"]
    for key in ("issuer_dn", "signer_dn", "signer_name", "signer_cert_validity"):
        assert ours["details"][0]["info_signer"][key] == theirs["details"][0]["info_signer"][key]
    for key in ("hash_value", "signature_value", "signed_in", "signed_using_tsa"):
        assert ours["details"][0]["signature_document"][key] == theirs["details"][0]["signature_document"][key]
    assert ours["details"][0]["info_tsa"] == theirs["details"][0]["info_tsa"]


def test_v2_shape_matches_mock_bsre(bsre: httpx.Client, signed_v2: bytes) -> None:
    theirs = bsre.post("/api/v2/verify/pdf", json={"file": base64.b64encode(signed_v2).decode()}).json()
    ours = verify_pdf_sync(signed_v2, trust_roots=[kit.ROOT_DER], document_name="dokumen.pdf").to_bsre_v2()
    assert same_shape(shape(ours), shape(theirs)) == []
    assert ours["conclusion"] == theirs["conclusion"] == "VALID"
    info, their_info = ours["signatureInformations"][0], theirs["signatureInformations"][0]
    assert info["certificateDetails"] == their_info["certificateDetails"]
    assert info["timestampInfomation"] == their_info["timestampInfomation"]
    assert info["signatureFormat"] == their_info["signatureFormat"] == "PAdES-BASELINE-T"


def test_tampered_document_is_not_valid_in_both_shapes(bsre: httpx.Client, signed_v1: bytes) -> None:
    tampered = kit.flip_signed_byte(signed_v1)
    theirs = bsre.post("/api/sign/verify", files={"signed_file": ("kk.pdf", tampered, "application/pdf")}).json()
    report = verify_pdf_sync(tampered, trust_roots=[kit.ROOT_DER], allow_fetching=False, document_name="kk.pdf")
    ours = report.to_bsre_v1()
    assert ours["summary"] == theirs["summary"] == "DOCUMENT NOT VALID !!!"
    assert ours["notes"] == theirs["notes"]
    assert same_shape(shape(ours), shape(theirs)) == []
    assert report.to_bsre_v2()["conclusion"] == "INVALID"
