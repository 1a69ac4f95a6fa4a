"""``POST /v1/verify`` (no token) fetches revocation information only from the configured endpoints
(``verify.revocation_endpoints``; in development mock BSrE's ``/pki/``): a certificate in an uploaded PDF
that names another address makes no request go there, and the answer is a clear "not valid" report."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_kit import Api, gateway_settings

from mock_common.pytest_plugin import MockService
from siakgate.config import Settings

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "verify"))
import stranger_kit  # noqa: E402
import verify_kit as kit  # noqa: E402


@pytest.fixture
def listener() -> Iterator[stranger_kit.Listener]:
    with stranger_kit.listening() as listener:
        yield listener


@pytest.fixture
def stranger(listener: stranger_kit.Listener) -> stranger_kit.StrangerPki:
    return stranger_kit.stranger_pki(listener.url)


@pytest.fixture
def api_settings(
    database_url: str,
    tmp_path: Path,
    mock_siak: MockService,
    mock_bsre_aia: MockService,
    stranger: stranger_kit.StrangerPki,
) -> Settings:
    """The gateway even trusts the stranger's root: only revocation stands between the upload and "valid"."""
    root = tmp_path / "akar-orang-lain.pem"
    root.write_bytes(stranger.root_pem)
    roots = [ROOT / "certs" / "root-ca.crt", root]
    return gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia, trust_roots=roots)


def _upload(api: Api, pdf: bytes) -> dict[str, object]:
    response = api.client.post("/v1/verify", files={"file": ("kk.pdf", pdf, "application/pdf")})
    assert response.status_code == 200, response.text
    report: dict[str, object] = response.json()
    return report


def test_an_upload_makes_no_request_to_the_urls_its_certificates_name(
    api: Api, listener: stranger_kit.Listener, stranger: stranger_kit.StrangerPki
) -> None:
    assert api.settings.verify.revocation_endpoints == [f"{api.settings.bsre.url}/pki/"]
    report = _upload(api, stranger.pdf)  # 30 OCSP URLs, 3 CRLs, a caIssuers: all at the listener
    orphan = _upload(api, stranger.pdf_missing_issuer)  # 30 caIssuers URLs at the listener
    assert listener.requests == []
    assert report["valid"] is False
    assert report["indication"] == "INDETERMINATE"
    signature = report["signatures"][0]  # type: ignore[index]
    assert signature["revocation"]["status"] == "UNKNOWN"
    assert orphan["valid"] is False
    assert orphan["indication"] == "INVALID"


def test_a_kk_of_the_test_pki_still_verifies_online(api: Api) -> None:
    report = _upload(api, kit.sign(kit.make_pdf()))  # B-B: revocation only from mock BSrE's OCSP/CRL
    assert report["valid"] is True, report["summary"]
    assert report["indication"] == "VALID"
    assert report["signatures"][0]["revocation"]["status"] == "GOOD"  # type: ignore[index]
