"""Acceptance: an independent validator (poppler's pdfsig over NSS) accepts what the test PKI signs.

pyHanko signs a PDF (PAdES B-T, ETSI.CAdES.detached, timestamped by the mock TSA over HTTP); pdfsig
checks it against an NSS database that trusts only certs/root-ca.crt, fetching OCSP from the
mock on 127.0.0.1:8082 as the certificate's AIA says. A revoked signer must come out revoked, which
also proves pdfsig really asked our OCSP responder (nothing else knows the certificate is revoked).
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pdfsig_kit import nss_db_trusting
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from reportlab.pdfgen import canvas

from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService as AiaServer  # mock BSrE on the certificates' AIA port

pytestmark = pytest.mark.pdfsig


@pytest.fixture(scope="module")
def nss_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An NSS database trusting only the test root CA (as an office's validator would)."""
    return nss_db_trusting(tmp_path_factory.mktemp("nssdb"), load_pki().certs_dir / "root-ca.crt")


def _small_pdf() -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.drawString(72, 770, "KARTU KELUARGA (dokumen uji)")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _sign(name: str, server: AiaServer, out: Path) -> Path:
    writer = IncrementalPdfFileWriter(io.BytesIO(_small_pdf()))
    meta = signers.PdfSignatureMetadata(field_name="TTE", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
    signed = signers.sign_pdf(
        writer, meta, signer=load_pki().signer(name), timestamper=HTTPTimeStamper(f"{server.url}/pki/tsa")
    )
    out.write_bytes(signed.getvalue())
    return out


def _pdfsig(nss_db: str, pdf: Path) -> str:
    result = subprocess.run(["pdfsig", "-nssdir", nss_db, str(pdf)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["kepala-dinas", "sekretaris-dinas", "office-seal"])
def test_pdfsig_accepts_active_signer(name: str, nss_db: str, mock_bsre_aia: AiaServer, tmp_path: Path) -> None:
    output = _pdfsig(nss_db, _sign(name, mock_bsre_aia, tmp_path / f"{name}.pdf"))
    assert "Signature Type: ETSI.CAdES.detached" in output
    assert "Signature is Valid." in output
    assert "Certificate is Trusted." in output
    assert load_pki().entity(name)["common_name"] in output


def test_pdfsig_reports_revoked_signer(nss_db: str, mock_bsre_aia: AiaServer, tmp_path: Path) -> None:
    output = _pdfsig(nss_db, _sign("signer-revoked", mock_bsre_aia, tmp_path / "revoked.pdf"))
    assert "Signature is Valid." in output  # the bytes are intact...
    assert "Certificate has been Revoked." in output  # ...but OCSP says the signer is revoked
    assert "Certificate is Trusted." not in output


def test_pdfsig_reports_expired_signer(nss_db: str, mock_bsre_aia: AiaServer, tmp_path: Path) -> None:
    output = _pdfsig(nss_db, _sign("signer-expired", mock_bsre_aia, tmp_path / "expired.pdf"))
    assert "Signature is Valid." in output
    assert "Certificate has Expired" in output


def test_pdfsig_rejects_document_changed_after_signing(nss_db: str, mock_bsre_aia: AiaServer, tmp_path: Path) -> None:
    pdf = _sign("kepala-dinas", mock_bsre_aia, tmp_path / "tampered.pdf")
    data = pdf.read_bytes()
    # A comment near the top lies inside the first signed byte range; changing it keeps the PDF
    # readable but breaks the signed digest.
    assert b"ReportLab Generated PDF" in data
    pdf.write_bytes(data.replace(b"ReportLab Generated PDF", b"ReportLab Tampered  PDF", 1))
    output = _pdfsig(nss_db, pdf)
    assert "Signature is Valid." not in output


def _signed_by_the_mock_v1(server: AiaServer, out: Path) -> Path:
    """What an office application does: send the PDF to the Esign Client (v1) and keep what comes back."""
    import httpx

    response = httpx.post(
        f"{server.url}/api/sign/pdf",
        auth=("siakgate", "siakgate-dev"),
        files={"file": ("kk.pdf", _small_pdf(), "application/pdf")},
        data={
            "nik": "3508011205720001",
            "passphrase": "kepala-dinas-uji-123",
            "tampilan": "visible",
            "image": "false",
            "linkQR": "http://127.0.0.1:8000/v1/verify/uji",
            "page": "1",
            "xAxis": "400",
            "yAxis": "80",
            "width": "120",
            "height": "120",
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.headers["id_dokumen"]
    out.write_bytes(response.content)
    return out


def _signed_by_the_mock_v2(server: AiaServer, out: Path) -> Path:
    import base64

    import httpx

    response = httpx.post(
        f"{server.url}/api/v2/sign/pdf",
        auth=("siakgate", "siakgate-dev"),
        json={
            "nik": "3508011205720001",
            "passphrase": "kepala-dinas-uji-123",
            "signatureProperties": [{"tampilan": "INVISIBLE", "reason": "TTE Kartu Keluarga"}],
            "file": [base64.b64encode(_small_pdf()).decode()],
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    out.write_bytes(base64.b64decode(response.json()["file"][0]))
    return out


@pytest.mark.parametrize("sign", [_signed_by_the_mock_v1, _signed_by_the_mock_v2], ids=["v1", "v2"])
def test_pdfsig_accepts_what_the_mock_signs(sign: Any, nss_db: str, mock_bsre_aia: AiaServer, tmp_path: Path) -> None:
    output = _pdfsig(nss_db, sign(mock_bsre_aia, tmp_path / "by-mock.pdf"))
    assert "Signature Type: ETSI.CAdES.detached" in output
    assert "Signature is Valid." in output
    assert "Certificate is Trusted." in output
    assert "Drs. Bambang Setiawan" in output


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_pdfsig_accepts_pkcs7_signatures_of_the_mock(
    version: str, nss_db: str, mock_bsre_aia: AiaServer, tmp_path: Path
) -> None:
    """``--signature-format pkcs7``: ``adbe.pkcs7.detached``, time-stamped, still valid and trusted for pdfsig."""
    from mock_bsre.app import create_app
    from mock_bsre.config import BsreMockConfig
    from mock_common.pytest_plugin import serving

    config = BsreMockConfig(state_dir=tmp_path / "state", signature_format="pkcs7")
    with serving(create_app(config), config.clients) as pkcs7_mock:
        sign = _signed_by_the_mock_v1 if version == "v1" else _signed_by_the_mock_v2
        output = _pdfsig(nss_db, sign(pkcs7_mock, tmp_path / "pkcs7.pdf"))
    assert "Signature Type: adbe.pkcs7.detached" in output
    assert "Signature is Valid." in output
    assert "Certificate is Trusted." in output
    assert "Drs. Bambang Setiawan" in output
