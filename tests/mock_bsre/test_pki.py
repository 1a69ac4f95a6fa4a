"""The test PKI (certs/) and mock BSrE's PKI services: OCSP, CRL, TSA and AIA certificates.

The services run in a small Starlette app that mounts only ``pki_routes`` on a free loopback port,
so these tests do not depend on the rest of mock BSrE.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import anyio
import httpx
import pytest
from asn1crypto import core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathValidationError
from starlette.applications import Starlette
from starlette.routing import Mount

from mock_bsre.pki import Pki, PkiError, load_pki, pki_routes
from mock_common.server import start_in_thread

REPO = Path(__file__).resolve().parents[2]
CERTS = REPO / "certs"
SIGNERS = [
    "kepala-dinas",
    "sekretaris-dinas",
    "signer-expired",
    "signer-revoked",
    "signer-suspended",
    "sekcam",
    "office-seal",
]
END_ENTITIES = [*SIGNERS, "tsa", "tsa-short", "ocsp-responder"]


@pytest.fixture(scope="module")
def pki() -> Pki:
    return load_pki()


@pytest.fixture(scope="module")
def pki_url(pki: Pki) -> Iterator[str]:
    server = start_in_thread(Starlette(routes=[Mount("/pki", routes=pki_routes(pki))]))
    try:
        yield f"{server.url}/pki"
    finally:
        server.stop()


def _verify_signed_by(issuer: x509.Certificate, signature: bytes, data: bytes, algo: object) -> None:
    key = issuer.public_key()
    assert isinstance(algo, hashes.HashAlgorithm)
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), algo)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(algo))
    else:  # pragma: no cover
        raise AssertionError(type(key))


# -- the material in certs/ ------------------------------------------------------------------------


def test_default_dir_is_the_repository_certs(pki: Pki) -> None:
    assert pki.certs_dir == CERTS
    assert load_pki() is pki  # cached
    assert set(pki.names) == {"root-ca", "issuing-ca", *END_ENTITIES}


@pytest.mark.parametrize("name", ["root-ca", "issuing-ca", *END_ENTITIES])
def test_manifest_matches_certificate_and_key(pki: Pki, name: str) -> None:
    entry = pki.entity(name)
    cert = x509.load_pem_x509_certificate((CERTS / entry["cert"]).read_bytes())
    assert cert.subject.rfc4514_string() == entry["subject"]
    assert cert.serial_number == entry["serial"]
    assert cert.not_valid_before_utc.isoformat() == entry["not_before"]
    assert cert.not_valid_after_utc.isoformat() == entry["not_after"]
    assert hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest() == (entry["sha256"])
    key = serialization.load_pem_private_key((CERTS / entry["key"]).read_bytes(), password=None)
    assert key.public_key() == cert.public_key()
    nik = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert (nik[0].value if nik else None) == entry["nik"]


@pytest.mark.parametrize("name", SIGNERS)
def test_signer_identity_and_p12(pki: Pki, name: str) -> None:
    entry = pki.entity(name)
    cert = pki.crypto_certificate(name)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == [entry["email"]]
    if name == "office-seal":  # an organisation, not a person: no NIK
        assert entry["nik"] is None
        assert entry["common_name"] == entry["organization"]
    else:
        assert len(entry["nik"]) == 16
        assert entry["nik"].isdigit()
    assert entry["organization"].startswith(("Dinas Kependudukan", "Kecamatan"))
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    assert ku.value.digital_signature
    assert ku.value.content_commitment
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert {(d.access_method._name, d.access_location.value) for d in aia} == {
        ("OCSP", "http://127.0.0.1:8082/pki/ocsp"),
        ("caIssuers", "http://127.0.0.1:8082/pki/certs/issuing-ca.crt"),
    }
    cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for n in cdp[0].full_name or []] == ["http://127.0.0.1:8082/pki/crl/issuing-ca.crl"]
    key, p12_cert, extra = pkcs12.load_key_and_certificates(
        pki.p12_path(name).read_bytes(), pki.p12_passphrase(name).encode()
    )
    assert p12_cert == cert
    assert key is not None
    assert key.public_key() == cert.public_key()
    assert [c.subject for c in extra] == [
        pki.crypto_certificate("issuing-ca").subject,
        pki.crypto_certificate("root-ca").subject,
    ]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(pki.p12_path(name).read_bytes(), b"salah")


def test_service_certificates_have_their_critical_ekus(pki: Pki) -> None:
    tsa = pki.crypto_certificate("tsa").extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa.critical
    assert list(tsa.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    responder = pki.crypto_certificate("ocsp-responder").extensions
    eku = responder.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    responder.get_extension_for_class(x509.OCSPNoCheck)
    issuing = pki.crypto_certificate("issuing-ca").extensions
    cdp = issuing.get_extension_for_class(x509.CRLDistributionPoints).value
    assert cdp[0].full_name[0].value == "http://127.0.0.1:8082/pki/crl/root-ca.crl"


def test_validity_reaches_2035_and_expired_is_expired(pki: Pki) -> None:
    root = pki.crypto_certificate("root-ca")
    assert root.not_valid_before_utc == datetime(2020, 1, 1, tzinfo=UTC)
    assert root.not_valid_after_utc == datetime(2036, 1, 1, tzinfo=UTC)
    for name in ["issuing-ca", *END_ENTITIES]:
        if name not in ("signer-expired", "tsa-short"):
            end = pki.crypto_certificate(name).not_valid_after_utc
            assert end == datetime(2035, 12, 31, 23, 59, 59, tzinfo=UTC), name
    expired = pki.crypto_certificate("signer-expired")
    assert expired.not_valid_before_utc == datetime(2021, 1, 1, tzinfo=UTC)
    assert expired.not_valid_after_utc == datetime(2023, 1, 1, tzinfo=UTC)
    assert expired.not_valid_after_utc < datetime.now(UTC)
    short = pki.crypto_certificate("tsa-short")  # the archive renewal tests' TSA, ending early
    assert (short.not_valid_before_utc, short.not_valid_after_utc) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 6, 30, tzinfo=UTC),
    )
    revoked = pki.entity("signer-revoked")["revocation"]
    assert revoked == {"revoked_at": "2024-06-01T08:00:00+00:00", "reason": "key_compromise"}
    assert [r.name for r in pki.revocations()] == ["signer-revoked"]


def _validate(pki: Pki, name: str, moment: datetime) -> None:
    context = ValidationContext(
        trust_roots=[pki.root],
        other_certs=[pki.issuing_ca],
        moment=moment,
        revocation_mode="soft-fail",
        allow_fetching=False,
    )
    validator = CertificateValidator(pki.certificate(name), validation_context=context)
    anyio.run(validator.async_validate_usage, {"digital_signature"})


@pytest.mark.parametrize("name", [n for n in SIGNERS if n != "signer-expired"])
def test_chain_validates_to_root(pki: Pki, name: str) -> None:
    _validate(pki, name, datetime(2035, 6, 1, tzinfo=UTC))
    assert [c.subject for c in pki.chain(name)[1:]] == [pki.issuing_ca.subject, pki.root.subject]


def test_expired_signer_validates_only_inside_its_validity(pki: Pki) -> None:
    _validate(pki, "signer-expired", datetime(2022, 6, 1, tzinfo=UTC))
    with pytest.raises(PathValidationError):
        _validate(pki, "signer-expired", datetime.now(UTC))


def test_openssl_agrees_on_the_chain(pki: Pki) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    args = ["openssl", "verify", "-CAfile", str(CERTS / "root-ca.crt")]
    args += ["-untrusted", str(CERTS / "issuing-ca.crt"), str(CERTS / "kepala-dinas.crt")]
    assert subprocess.run(args, capture_output=True, check=False).returncode == 0


def test_unknown_entity_and_missing_dir_are_clear_errors(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(PkiError, match="no entity named 'nobody'"):
        pki.certificate("nobody")
    with pytest.raises(PkiError, match="no PKCS#12"):
        pki.p12_path("tsa")
    with pytest.raises(PkiError, match=r"manifest\.json missing"):
        load_pki(tmp_path)


def test_env_var_overrides_certs_dir(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "certs"
    shutil.copytree(CERTS, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setenv("SIAKGATE_CERTS_DIR", str(copy))
    other = load_pki()
    assert other.certs_dir == copy.resolve()
    assert other.certificate_der("kepala-dinas") == pki.certificate_der("kepala-dinas")


def test_generate_is_reproducible_with_the_same_keys(tmp_path: Path) -> None:
    """Rerunning generate.py on the committed keys reproduces certificates and manifest exactly."""
    work = tmp_path / "certs"
    shutil.copytree(CERTS, work, ignore=shutil.ignore_patterns("__pycache__"))
    before = {p.name: p.read_bytes() for p in [*work.glob("*.crt"), work / "manifest.json"]}
    p12_before = {p.name: p.read_bytes() for p in (work / "p12").glob("*.p12")}
    result = subprocess.run([sys.executable, str(work / "generate.py")], capture_output=True, text=True, check=True)
    assert "changed: nothing" in result.stdout
    after = {p.name: p.read_bytes() for p in [*work.glob("*.crt"), work / "manifest.json"]}
    assert after == before
    assert {p.name: p.read_bytes() for p in (work / "p12").glob("*.p12")} == p12_before


def test_generate_from_scratch_makes_new_keys_but_same_identities(tmp_path: Path) -> None:
    work = tmp_path / "certs"
    work.mkdir()
    shutil.copy(CERTS / "certomancer.yml", work)
    shutil.copy(CERTS / "generate.py", work)
    subprocess.run([sys.executable, str(work / "generate.py")], capture_output=True, check=True)
    fresh = Pki(work)
    committed = load_pki()
    for name in committed.names:
        new, old = fresh.entity(name), committed.entity(name)
        for field in ("subject", "serial", "nik", "email", "not_after", "revocation", "p12"):
            assert new[field] == old[field], (name, field)
        assert new["sha256"] != old["sha256"]  # new keys, so new certificates
    assert fresh.entity("office-seal")["key_type"] == "ec-secp256r1"


# -- OCSP --------------------------------------------------------------------------------------


def _ocsp_request(pki: Pki, name: str, *, nonce: bytes | None = None, algo: object = None) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        pki.crypto_certificate(name),
        pki.crypto_certificate(pki.entity(name)["issuer_name"]),
        algo or hashes.SHA1(),  # type: ignore[arg-type]
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def _check_signed(pki: Pki, response: ocsp.OCSPResponse, signer: str) -> None:
    """The response is signed by ``signer``, whose certificate the issuing CA vouches for."""
    signer_cert = pki.crypto_certificate(signer)
    if signer == "ocsp-responder":
        assert response.certificates == [signer_cert]
    assert response.responder_key_hash == x509.SubjectKeyIdentifier.from_public_key(signer_cert.public_key()).digest
    _verify_signed_by(
        signer_cert,
        response.signature,
        response.tbs_response_bytes,
        response.signature_hash_algorithm,
    )


def _post(pki_url: str, der: bytes) -> ocsp.OCSPResponse:
    answer = httpx.post(f"{pki_url}/ocsp", content=der, headers={"Content-Type": "application/ocsp-request"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(answer.content)


def _get(pki_url: str, der: bytes) -> ocsp.OCSPResponse:
    encoded = quote(base64.b64encode(der).decode(), safe="")
    answer = httpx.get(f"{pki_url}/ocsp/{encoded}")
    assert answer.status_code == 200
    return ocsp.load_der_ocsp_response(answer.content)


@pytest.mark.parametrize("method", [_post, _get])
def test_ocsp_good_for_active_signer(pki: Pki, pki_url: str, method: object) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    response = method(pki_url, _ocsp_request(pki, "kepala-dinas", nonce=b"n0nce-1234567890"))  # type: ignore[operator]
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == pki.entity("kepala-dinas")["serial"]
    assert before <= response.this_update_utc <= datetime.now(UTC)
    assert response.next_update_utc - response.this_update_utc == timedelta(days=1)
    nonce = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    assert nonce == b"n0nce-1234567890"
    _check_signed(pki, response, "ocsp-responder")


@pytest.mark.parametrize("method", [_post, _get])
def test_ocsp_revoked_with_time_and_reason(pki: Pki, pki_url: str, method: object) -> None:
    response = method(pki_url, _ocsp_request(pki, "signer-revoked"))  # type: ignore[operator]
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_time_utc == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    assert response.revocation_reason == x509.ReasonFlags.key_compromise
    with pytest.raises(x509.ExtensionNotFound):  # no nonce asked, none echoed
        response.extensions.get_extension_for_class(x509.OCSPNonce)
    _check_signed(pki, response, "ocsp-responder")


def test_ocsp_sha256_certid_and_root_issued_cert(pki: Pki, pki_url: str) -> None:
    response = _post(pki_url, _ocsp_request(pki, "sekcam", algo=hashes.SHA256()))
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert isinstance(response.hash_algorithm, hashes.SHA256)
    response = _post(pki_url, _ocsp_request(pki, "issuing-ca"))
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    _check_signed(pki, response, "root-ca")  # the root answers for what it issued


def test_ocsp_unknown_serial_and_unknown_issuer(pki: Pki, pki_url: str) -> None:
    request = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        issuer_name_hash=hashlib.sha1(pki.crypto_certificate("issuing-ca").subject.public_bytes()).digest(),
        issuer_key_hash=x509.SubjectKeyIdentifier.from_public_key(
            pki.crypto_certificate("issuing-ca").public_key()
        ).digest,
        serial_number=123456789,
        algorithm=hashes.SHA1(),
    )
    response = _post(pki_url, request.build().public_bytes(serialization.Encoding.DER))
    assert response.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    foreign = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        issuer_name_hash=b"\x01" * 20,
        issuer_key_hash=b"\x02" * 20,
        serial_number=pki.entity("kepala-dinas")["serial"],
        algorithm=hashes.SHA1(),
    )
    response = _post(pki_url, foreign.build().public_bytes(serialization.Encoding.DER))
    assert response.certificate_status == ocsp.OCSPCertStatus.UNKNOWN


@pytest.mark.parametrize("body", [b"", b"not an OCSP request", b"\x30\x03\x02\x01\x01"])
def test_ocsp_malformed_post(pki_url: str, body: bytes) -> None:
    assert _post(pki_url, body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


@pytest.mark.parametrize("path", ["%%%not-base64", "bm90IGFuIE9DU1AgcmVxdWVzdA=="])
def test_ocsp_malformed_get(pki_url: str, path: str) -> None:
    answer = httpx.get(f"{pki_url}/ocsp/{path}")
    assert answer.status_code == 200
    response = ocsp.load_der_ocsp_response(answer.content)
    assert response.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


# -- CRL ---------------------------------------------------------------------------------------


def test_issuing_ca_crl_lists_exactly_the_revoked_serial(pki: Pki, pki_url: str) -> None:
    answer = httpx.get(f"{pki_url}/crl/issuing-ca.crl")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(answer.content)
    ca = pki.crypto_certificate("issuing-ca")
    assert crl.issuer == ca.subject
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    assert not crl.is_signature_valid(pki.crypto_certificate("root-ca").public_key())  # type: ignore[arg-type]
    assert [r.serial_number for r in crl] == [pki.entity("signer-revoked")["serial"]]
    entry = next(iter(crl))
    assert entry.revocation_date_utc == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason == x509.ReasonFlags.key_compromise
    assert crl.next_update_utc is not None
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=1)
    assert crl.last_update_utc <= datetime.now(UTC)


def test_root_crl_is_empty_and_signed_by_root(pki: Pki, pki_url: str) -> None:
    crl = x509.load_der_x509_crl(httpx.get(f"{pki_url}/crl/root-ca.crl").content)
    assert crl.is_signature_valid(pki.crypto_certificate("root-ca").public_key())  # type: ignore[arg-type]
    assert list(crl) == []


def test_unknown_crl_is_404(pki_url: str) -> None:
    assert httpx.get(f"{pki_url}/crl/kepala-dinas.crl").status_code == 404


# -- certificates for AIA ----------------------------------------------------------------------


def test_aia_certificates_are_served_as_der(pki: Pki, pki_url: str) -> None:
    for name in ("issuing-ca", "root-ca"):
        answer = httpx.get(f"{pki_url}/certs/{name}.crt")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pkix-cert"
        assert answer.content == pki.certificate_der(name)
    assert httpx.get(f"{pki_url}/certs/nobody.crt").status_code == 404


# -- TSA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["http", "in-process"])
def test_tsa_token_validates_with_pyhanko(pki: Pki, pki_url: str, where: str) -> None:
    digest = hashlib.sha256(b"dokumen KK").digest()
    stamper = HTTPTimeStamper(f"{pki_url}/tsa") if where == "http" else pki.timestamper()

    async def stamp_and_validate() -> dict[str, object]:
        token = await stamper.async_timestamp(digest, "sha256")
        context = ValidationContext(trust_roots=[pki.root], allow_fetching=False)
        result: dict[str, object] = await validate_tst_signed_data(token["content"], context, lambda _algo: digest)
        return result

    status = anyio.run(stamp_and_validate)
    assert status["intact"]
    assert status["valid"]
    assert status["trust_problem_indic"] is None  # chains to the test root
    signer = status["signing_cert"]
    assert signer.subject == pki.certificate("tsa").subject  # type: ignore[attr-defined]


def test_tsa_answer_echoes_nonce_and_imprint(pki: Pki, pki_url: str) -> None:
    digest = hashlib.sha256(b"x").digest()
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": 424242,
            "cert_req": True,
        }
    )
    answer = httpx.post(f"{pki_url}/tsa", content=request.dump())
    assert answer.headers["content-type"] == "application/timestamp-reply"
    response = tsp.TimeStampResp.load(answer.content)
    assert response["status"]["status"].native == "granted"
    tst_info = response["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert tst_info["nonce"].native == 424242
    assert tst_info["message_imprint"]["hashed_message"].native == digest


class _TimeStampRespNoToken(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp with the token optional (asn1crypto's own makes it mandatory)."""

    _fields = [  # noqa: RUF012
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", core.Any, {"optional": True}),
    ]


@pytest.mark.parametrize(
    ("body", "fail_info"),
    [
        (b"garbage", "bad_data_format"),
        (b"", "bad_data_format"),
        (
            tsp.TimeStampReq(
                {
                    "version": "v1",
                    "message_imprint": {
                        "hash_algorithm": {"algorithm": "md5"},
                        "hashed_message": b"\x00" * 16,
                    },
                }
            ).dump(),
            "bad_alg",
        ),
        (
            tsp.TimeStampReq(
                {
                    "version": "v1",
                    "message_imprint": {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "hashed_message": b"\x00" * 5,
                    },
                }
            ).dump(),
            "bad_data_format",
        ),
    ],
)
def test_tsa_rejects_bad_requests_in_protocol(pki_url: str, body: bytes, fail_info: str) -> None:
    answer = httpx.post(f"{pki_url}/tsa", content=body)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/timestamp-reply"
    response = _TimeStampRespNoToken.load(answer.content)
    assert response["status"]["status"].native == "rejection"
    assert fail_info in response["status"]["fail_info"].native
    assert response["time_stamp_token"].native is None  # RFC 3161: no token unless granted
