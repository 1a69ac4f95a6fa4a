"""Documents signed by mock BSrE (v1 and v2) and by pyHanko (``adbe.pkcs7.detached``): siakgate's verdict, and
its BSrE-shaped answers compared with what mock BSrE's own verify endpoints answer for the same document (the
same keys and types, then the same values), with the formats of BSrE's guide ("Petunjuk Teknis API Esign Client
Service" v2.2.1, printed pages cited) checked independently of the mock: DSS ids, decimal serials, WIB times,
UTC millisecond dates, DN order, the served spellings.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from typing import Any

import httpx
import pytest
import verify_kit as kit
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper

from siakgate.signing.api import PadesLevel
from siakgate.verify import VerificationReport, verify_pdf_sync

WIB = timezone(timedelta(hours=7))
WIB_CS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d\d")  # v1, p.16-17
ISO_MS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")  # v2, p.35-36
DSS_ID = {prefix: re.compile(prefix + r"-[0-9A-F]{64}") for prefix in "STC"}  # p.35-36 (shown truncated there)

# The keys of the guide's example answers (v1 p.16-17, v2 p.35-36), transcribed; None where the guide has null.
GUIDE_V1_DETAIL_KEYS = {
    "info_tsa": {"name", "tsa_cert_validity"},
    "signature_field": None,
    "info_signer": {"issuer_dn", "signer_name", "signer_cert_validity", "signer_dn", "cert_user_certified"},
    "signature_document": {
        "signed_using_tsa",
        "reason",
        "document_integrity",
        "signature_value",
        "signed_in",
        "location",
        "hash_value",
    },
}
GUIDE_V2_INFO_TYPES: dict[str, type | None] = {
    "id": str,
    "signatureFormat": str,
    "signerName": str,
    "signatureDate": str,
    "fieldName": str,
    "reason": str,
    "location": str,
    "certLevelCode": int,
    "signatureAlgorithm": None,
    "digestAlgorithm": None,
    "timestampInfomation": dict,
    "certificateDetails": list,
    "integrityValid": bool,
    "certificateTrusted": bool,
    "lastSignature": bool,
}
GUIDE_V2_CERT_TYPES: dict[str, type] = {
    "id": str,
    "commonName": str,
    "issuerName": str,
    "serialNumber": str,
    "notAfterDate": str,
    "notBeforeDate": str,
    "signatureAlgoritm": str,
    "keyUsages": list,
}

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


@pytest.fixture(scope="module")
def signed_pkcs7(tsa_url: str) -> bytes:
    """An ``adbe.pkcs7.detached`` B-T signature made with pyHanko (what the guide's "PKCS7-T" names, p.35)."""
    meta = signers.PdfSignatureMetadata(
        field_name="sig_1689043283248",
        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        reason="Dokumen ini telah ditandatangani",
        location="Indonesia",
    )
    signer = signers.PdfSigner(meta, kit.signer_for("kepala-dinas"), timestamper=HTTPTimeStamper(tsa_url))
    return signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(kit.make_pdf()), strict=False)).getvalue()


# -- formats, checked against the guide and the signed bytes (not against the mock) ------------------------------


def _common_name(der: bytes) -> str:
    return str(asn1_x509.Certificate.load(der).subject.native["common_name"])


LEAF_DER = kit.pem_to_der(kit.CERTS / "kepala-dinas.crt")
CA_DER = kit.pem_to_der(kit.CERTS / "issuing-ca.crt")
CHAIN = (LEAF_DER, CA_DER, kit.ROOT_DER)  # signer, its CA, the root: the guide's order (p.35-36)


def _embedded(pdf: bytes) -> tuple[bytes, bytes | None]:
    """The signature value and the signature timestamp token (DER) of the first signature, read with pyHanko."""
    signer_info = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures[0].signer_info
    token = None
    for attr in signer_info["unsigned_attrs"] if signer_info["unsigned_attrs"].native is not None else ():
        if attr["type"].native == "signature_time_stamp_token":
            token = bytes(attr["values"][0].dump())
    return bytes(signer_info["signature"].native), token


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest().upper()


def _from_wib(text: str) -> datetime:
    assert WIB_CS.fullmatch(text), text
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=WIB)


def check_v1_formats(answer: dict[str, Any], report: VerificationReport) -> None:
    """Guide p.16-17: the detail's keys, WIB times with hundredths, DNs ``C=ID,...``, nulls where it has nulls."""
    (detail,) = answer["details"]
    sig = report.signatures[0]
    assert set(detail) == set(GUIDE_V1_DETAIL_KEYS)
    for key, inner in GUIDE_V1_DETAIL_KEYS.items():
        assert inner is None or set(detail[key]) == inner, key
    assert detail["info_tsa"]["tsa_cert_validity"] is None
    assert detail["signature_document"]["signature_value"] is None
    assert detail["signature_document"]["hash_value"] is None
    assert detail["signature_field"] == sig.field_name
    # WIB wall-clock time: the claimed signing time plus seven hours (p.17), hundredths of a second
    assert sig.signing_time is not None
    signed_in = _from_wib(detail["signature_document"]["signed_in"])
    assert timedelta(0) <= sig.signing_time - signed_in < timedelta(milliseconds=10)
    leaf = asn1_x509.Certificate.load(LEAF_DER)
    start, _, end = detail["info_signer"]["signer_cert_validity"].partition(" to ")
    assert abs(_from_wib(start) - leaf.not_valid_before) < timedelta(milliseconds=10)
    assert abs(_from_wib(end) - leaf.not_valid_after) < timedelta(milliseconds=10)
    issuer_dn = detail["info_signer"]["issuer_dn"]
    assert issuer_dn.startswith("C=ID,"), issuer_dn  # the certificate's order (p.16), not RFC 4514's reverse
    assert issuer_dn.endswith(f"CN={_common_name(CA_DER)}"), issuer_dn
    signer_dn = detail["info_signer"]["signer_dn"]
    assert signer_dn.endswith(",CN=Drs. Bambang Setiawan\\, M.Si."), signer_dn  # RFC 4514 escaping of the comma


def check_v2_formats(answer: dict[str, Any], pdf: bytes, report: VerificationReport) -> None:
    """Guide p.35-36: keys and JSON types of the example; DSS ids over the signed bytes; decimal serials; UTC
    dates with milliseconds; the chain signer, CA, root; the served spellings."""
    assert set(answer) == {"conclusion", "description", "signatureInformations", "signatureCount"}
    (info,) = answer["signatureInformations"]
    assert set(info) == set(GUIDE_V2_INFO_TYPES)
    for key, kind in GUIDE_V2_INFO_TYPES.items():
        if key in ("reason", "location") and info[key] is None:
            continue  # null in a document that has none (the guide's sign example sends location null, p.24)
        assert (info[key] is None) if kind is None else isinstance(info[key], kind), key
    signature_value, token = _embedded(pdf)
    assert token is not None
    assert DSS_ID["S"].fullmatch(info["id"])
    assert info["id"] == f"S-{_sha256(signature_value)}"
    ts = info["timestampInfomation"]  # sic, p.35
    assert set(ts) == {"id", "signerName", "timestampDate"}
    assert DSS_ID["T"].fullmatch(ts["id"])
    assert ts["id"] == f"T-{_sha256(token)}"
    assert ISO_MS_UTC.fullmatch(ts["timestampDate"]), ts["timestampDate"]
    assert ISO_MS_UTC.fullmatch(info["signatureDate"]), info["signatureDate"]
    sig = report.signatures[0]
    assert sig.signing_time is not None  # signatureDate is the claimed time (p.35: the field name's instant)
    assert timedelta(0) <= sig.signing_time - datetime.fromisoformat(info["signatureDate"]) < timedelta(milliseconds=1)
    details = info["certificateDetails"]
    assert [d["id"] for d in details] == [f"C-{_sha256(der)}" for der in CHAIN]
    assert [d["commonName"] for d in details] == [_common_name(der) for der in CHAIN]
    for detail, der, issuer_der in zip(details, CHAIN, (CA_DER, kit.ROOT_DER, kit.ROOT_DER), strict=True):
        cert = asn1_x509.Certificate.load(der)
        assert set(detail) == set(GUIDE_V2_CERT_TYPES)
        assert all(isinstance(detail[key], kind) for key, kind in GUIDE_V2_CERT_TYPES.items())
        assert DSS_ID["C"].fullmatch(detail["id"])
        assert detail["serialNumber"] == str(cert.serial_number)  # decimal (p.35), not hex
        assert detail["issuerName"].startswith("C=ID,")
        assert detail["issuerName"].endswith(f"CN={_common_name(issuer_der)}")
        assert ISO_MS_UTC.fullmatch(detail["notBeforeDate"])
        assert ISO_MS_UTC.fullmatch(detail["notAfterDate"])
        assert datetime.fromisoformat(detail["notAfterDate"]) == cert.not_valid_after
        assert detail["signatureAlgoritm"] == "RSA with SHA256"  # sic, p.35-36
    assert "nonRepudiation" in details[0]["keyUsages"]
    assert {"keyCertSign", "crlSign"} <= set(details[1]["keyUsages"])


# -- compared with mock BSrE ---------------------------------------------------------------------------------------


def test_v1_shape_matches_mock_bsre(bsre: httpx.Client, signed_v1: bytes) -> None:
    theirs = bsre.post("/api/sign/verify", files={"signed_file": ("kk.pdf", signed_v1, "application/pdf")}).json()
    report = verify_pdf_sync(signed_v1, trust_roots=[kit.ROOT_DER], document_name="kk.pdf")
    ours = report.to_bsre_v1()
    assert same_shape(shape(ours), shape(theirs)) == []
    assert ours["summary"] == theirs["summary"] == "DOCUMENT VALID !!!"
    assert ours == theirs  # a valid document: every value as mock BSrE answers it
    check_v1_formats(ours, report)
    check_v1_formats(theirs, report)


def test_v2_shape_matches_mock_bsre(bsre: httpx.Client, signed_v2: bytes) -> None:
    theirs = bsre.post("/api/v2/verify/pdf", json={"file": base64.b64encode(signed_v2).decode()}).json()
    report = verify_pdf_sync(signed_v2, trust_roots=[kit.ROOT_DER], document_name="dokumen.pdf")
    ours = report.to_bsre_v2()
    assert same_shape(shape(ours), shape(theirs)) == []
    assert ours["conclusion"] == theirs["conclusion"] == "VALID"
    assert ours["signatureInformations"][0]["signatureFormat"] == "PAdES-BASELINE-T"  # ETSI.CAdES.detached
    assert ours == theirs
    check_v2_formats(ours, signed_v2, report)
    check_v2_formats(theirs, signed_v2, report)


def test_pkcs7_signature_is_pkcs7_t_like_mock_bsre(bsre: httpx.Client, signed_pkcs7: bytes) -> None:
    """adbe.pkcs7.detached with a signature timestamp: "PKCS7-T" as in the guide's example (p.35)."""
    theirs = bsre.post("/api/v2/verify/pdf", json={"file": base64.b64encode(signed_pkcs7).decode()}).json()
    report = verify_pdf_sync(signed_pkcs7, trust_roots=[kit.ROOT_DER], document_name="dokumen.pdf")
    assert report.valid, report.summary_id()
    assert report.signatures[0].level is PadesLevel.B_T
    ours = report.to_bsre_v2()
    assert ours["signatureInformations"][0]["signatureFormat"] == "PKCS7-T"
    assert ours["signatureInformations"][0]["fieldName"] == "sig_1689043283248"
    assert ours == theirs
    check_v2_formats(ours, signed_pkcs7, report)
    v1 = report.to_bsre_v1()
    assert v1 == bsre.post("/api/sign/verify", files={"signed_file": ("dokumen.pdf", signed_pkcs7)}).json()
    check_v1_formats(v1, report)


def test_times_render_as_in_the_guides_examples(signed_v2: bytes) -> None:
    """The guide's own instants: ``sig_1697437714025`` is signed in "2023-10-16 13:28:34.00" WIB (p.16-17);
    ``sig_1689043283248`` has signatureDate "2023-07-11T02:41:23.000+00:00" (p.35), both at whole seconds."""
    report = verify_pdf_sync(signed_v2, trust_roots=[kit.ROOT_DER], document_name="dokumen.pdf")
    sig = report.signatures[0]
    v1_time = datetime.fromtimestamp(1697437714, UTC)
    v1 = replace(report, signatures=(replace(sig, signing_time=v1_time),)).to_bsre_v1()
    assert v1["details"][0]["signature_document"]["signed_in"] == "2023-10-16 13:28:34.00"
    v2_time = datetime.fromtimestamp(1689043283, UTC)
    v2 = replace(report, signatures=(replace(sig, signing_time=v2_time),)).to_bsre_v2()
    assert v2["signatureInformations"][0]["signatureDate"] == "2023-07-11T02:41:23.000+00:00"
    # hundredths and milliseconds are truncated, never rounded up into the next second
    late = datetime(2023, 10, 16, 6, 28, 34, 999_999, tzinfo=UTC)
    v1 = replace(report, signatures=(replace(sig, signing_time=late),)).to_bsre_v1()
    assert v1["details"][0]["signature_document"]["signed_in"] == "2023-10-16 13:28:34.99"
    v2 = replace(report, signatures=(replace(sig, signing_time=late),)).to_bsre_v2()
    assert v2["signatureInformations"][0]["signatureDate"] == "2023-10-16T06:28:34.999+00:00"


def test_without_a_claimed_time_the_timestamp_dates_the_signature(signed_v2: bytes) -> None:
    report = verify_pdf_sync(signed_v2, trust_roots=[kit.ROOT_DER], document_name="dokumen.pdf")
    sig = report.signatures[0]
    assert sig.timestamp is not None
    unclaimed = replace(report, signatures=(replace(sig, signing_time=None),))
    ts_time = sig.timestamp.time.astimezone(UTC)
    info = unclaimed.to_bsre_v2()["signatureInformations"][0]
    assert info["signatureDate"] == info["timestampInfomation"]["timestampDate"]
    in_ms = ts_time.replace(microsecond=ts_time.microsecond // 1000 * 1000)
    assert datetime.fromisoformat(info["signatureDate"]) == in_ms
    signed_in = unclaimed.to_bsre_v1()["details"][0]["signature_document"]["signed_in"]
    assert _from_wib(signed_in) == ts_time.replace(microsecond=ts_time.microsecond // 10000 * 10000)


def test_unsigned_report_answers_as_mock_bsre_does(bsre: httpx.Client) -> None:
    """No signature: v1 notes and summary null (API.md), v2 NO_SIGNATURE with the guide's text (p.35)."""
    pdf = kit.make_pdf()
    empty = VerificationReport(document_name="kosong.pdf", signatures=())
    theirs_v1 = bsre.post("/api/sign/verify", files={"signed_file": ("kosong.pdf", pdf, "application/pdf")}).json()
    assert empty.to_bsre_v1() == theirs_v1
    assert empty.to_bsre_v1() == {
        "nama_dokumen": "kosong.pdf",
        "jumlah_signature": 0,
        "notes": None,
        "details": [],
        "summary": None,
    }
    theirs_v2 = bsre.post("/api/v2/verify/pdf", json={"file": base64.b64encode(pdf).decode()}).json()
    assert empty.to_bsre_v2() == theirs_v2
    assert empty.to_bsre_v2()["conclusion"] == "NO_SIGNATURE"
    assert empty.to_bsre_v2()["description"] == "Dokumen tidak memiliki tandatangan elektronik"


def test_tampered_document_is_not_valid_in_both_shapes(bsre: httpx.Client, signed_v1: bytes) -> None:
    tampered = kit.flip_signed_byte(signed_v1)
    theirs = bsre.post("/api/sign/verify", files={"signed_file": ("kk.pdf", tampered, "application/pdf")}).json()
    report = verify_pdf_sync(tampered, trust_roots=[kit.ROOT_DER], allow_fetching=False, document_name="kk.pdf")
    ours = report.to_bsre_v1()
    assert ours["summary"] == theirs["summary"] == "DOCUMENT NOT VALID !!!"
    assert ours["notes"] == theirs["notes"]
    assert same_shape(shape(ours), shape(theirs)) == []
    assert report.to_bsre_v2()["conclusion"] == "INVALID"
