"""Test material for the verification tests: PDFs signed with the certs/ PKI at each PAdES level.

Signing here uses pyHanko directly (not siakgate.signing), so the verifier is tested against an
independent producer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.fetchers.api import CertificateFetcher, CRLFetcher, FetcherBackend, Fetchers, OCSPFetcher
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[2]
CERTS = ROOT / "certs"
MANIFEST = json.loads((CERTS / "manifest.json").read_text())


def pem_to_der(path: Path) -> bytes:
    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)


ROOT_DER = pem_to_der(CERTS / "root-ca.crt")
ROOT_CERT = asn1_x509.Certificate.load(ROOT_DER)


def make_pdf(text: str = "KARTU KELUARGA", *, with_field: bool = False) -> bytes:
    """A small uncompressed A4-landscape PDF; optionally with an empty text form field ``catatan``."""
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4), pageCompression=0, invariant=1)
    c.setFont("Helvetica", 14)
    c.drawString(72, 500, text)
    if with_field:
        c.acroForm.textfield(name="catatan", x=72, y=300, width=200, height=20, value="")
    c.showPage()
    c.save()
    return buf.getvalue()


def signer_for(name: str) -> signers.SimpleSigner:
    """A SimpleSigner for a certs/ entity with its issuing CA and root in the chain."""
    signer = signers.SimpleSigner.load(
        str(CERTS / "keys" / f"{name}.key.pem"),
        str(CERTS / f"{name}.crt"),
        ca_chain_files=(str(CERTS / "issuing-ca.crt"), str(CERTS / "root-ca.crt")),
    )
    assert signer is not None
    return signer


def sign(
    pdf: bytes,
    *,
    signer: signers.Signer | None = None,
    level: str = "B-B",
    tsa_url: str | None = None,
    field_name: str = "TTE",
) -> bytes:
    """Sign ``pdf`` with pyHanko at ``level`` (B-LT and B-LTA fetch OCSP from the AIA mock)."""
    vc = None
    if level in ("B-LT", "B-LTA"):
        vc = ValidationContext(trust_roots=[ROOT_CERT], allow_fetching=True)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=vc is not None,
        validation_context=vc,
        use_pades_lta=level == "B-LTA",
        reason="Tanda Tangan Elektronik Kartu Keluarga",
        location="Lumajang",
    )
    timestamper = HTTPTimeStamper(tsa_url) if level != "B-B" and tsa_url else None
    pdf_signer = signers.PdfSigner(meta, signer=signer or signer_for("kepala-dinas"), timestamper=timestamper)
    out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf), strict=False))
    return out.getvalue()


def self_signed_signer() -> signers.SimpleSigner:
    """A key and certificate that chain to no configured root (made here, never in certs/)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Penandatangan Palsu")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    from pyhanko.sign.general import load_private_key_from_pemder_data

    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore(),
    )


def fill_form(pdf: bytes, value: str = "catatan petugas") -> bytes:
    """An innocent incremental update: fill the text field ``catatan`` (form filling)."""
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    fields_arr = writer.root["/AcroForm"]["/Fields"]
    for ref in fields_arr:
        field = ref.get_object()
        if field.get("/T") == "catatan":
            field["/V"] = generic.TextStringObject(value)
            writer.update_container(field)
            break
    else:  # pragma: no cover - test material error
        raise AssertionError("no catatan field")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def add_page_content(pdf: bytes) -> bytes:
    """A content-changing incremental update: replace the first page's content stream."""
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (DIUBAH) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def dss_only_update(pdf: bytes) -> bytes:
    """An innocent incremental update: add validation info (DSS) for the last signature, offline."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    sig = reader.embedded_signatures[-1]
    vc = ValidationContext(
        trust_roots=[ROOT_CERT],
        other_certs=[asn1_x509.Certificate.load(pem_to_der(CERTS / "issuing-ca.crt"))],
        allow_fetching=True,
    )
    out = add_validation_info(sig, vc, force_write=True)
    return out.getvalue()


def flip_signed_byte(pdf: bytes) -> bytes:
    """Change printed text inside the first signed range (same length, offsets stay right)."""
    assert b"KARTU" in pdf
    return pdf.replace(b"KARTU", b"KARTV", 1)


def cert_der_of(pdf: bytes) -> bytes:
    """The DER signer certificate of the first signature in ``pdf``."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    return bytes(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures[0].signer_cert.dump())


def sign_at(moment: datetime, name: str, *, level: str = "B-LTA", document_timestamp: bool = False) -> bytes:
    """A KK signed by ``name`` at ``moment`` (the process's clock moved there with time-machine).

    Everything is made in this process, so it is dated ``moment`` whoever serves 127.0.0.1:8082: the
    timestamps by mock BSrE's in-process TSA (the ``tsa`` certificate), the validation data (B-LT and up)
    from the two CAs' CRLs as mock BSrE makes them at that moment. ``document_timestamp``: add a document
    timestamp (without validation data) after a B-B/B-T signature, as an archive would.
    """
    import time_machine

    from mock_bsre.pki import load_pki
    from mock_bsre.pki.crl import build_crl

    pki = load_pki()
    with time_machine.travel(moment, tick=True):
        vc = None
        if level in ("B-LT", "B-LTA"):
            now = datetime.now(UTC)
            crls = [asn1_crl.CertificateList.load(build_crl(pki, ca, now)) for ca in ("issuing-ca", "root-ca")]
            vc = ValidationContext(
                trust_roots=[ROOT_CERT], crls=crls, allow_fetching=False, revocation_mode="hard-fail"
            )
        meta = signers.PdfSignatureMetadata(
            field_name="TTE",
            subfilter=SigSeedSubFilter.PADES,
            embed_validation_info=vc is not None,
            validation_context=vc,
            use_pades_lta=level == "B-LTA",
            reason="Tanda Tangan Elektronik Kartu Keluarga",
            location="Lumajang",
        )
        timestamper = pki.timestamper() if level != "B-B" else None
        writer = IncrementalPdfFileWriter(BytesIO(make_pdf()), strict=False)
        signed = signers.PdfSigner(meta, signer=signer_for(name), timestamper=timestamper).sign_pdf(writer).getvalue()
        if not document_timestamp:
            return signed
        writer = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
        return signers.PdfTimeStamper(pki.timestamper()).timestamp_pdf(writer, "sha256").getvalue()


def renew(pdf: bytes) -> bytes:
    """Renew a B-LTA KK's evidence now, as the archive does: a DSS update with today's CRLs of both CAs and a
    new document timestamp, then a final DSS update with the evidence for that timestamp (all in-process)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info

    from mock_bsre.pki import load_pki
    from mock_bsre.pki.crl import build_crl

    pki = load_pki()
    now = datetime.now(UTC)
    crls = [asn1_crl.CertificateList.load(build_crl(pki, ca, now)) for ca in ("issuing-ca", "root-ca")]

    def context() -> ValidationContext:
        return ValidationContext(trust_roots=[ROOT_CERT], crls=crls, allow_fetching=False, revocation_mode="hard-fail")

    stamper = signers.PdfTimeStamper(pki.timestamper())
    renewed = stamper.update_archival_timestamp_chain(
        PdfFileReader(BytesIO(pdf), strict=False), context(), in_place=False
    ).getvalue()
    newest = PdfFileReader(BytesIO(renewed), strict=False).embedded_signatures[-1]
    return add_validation_info(newest, context(), force_write=True).getvalue()


REFUSED = "connection refused (the revocation services are out of reach)"


class _NoOcsp(OCSPFetcher):
    async def fetch(self, cert, authority):
        raise cv_errors.OCSPFetchError(REFUSED)

    def fetched_responses(self):
        return []

    def fetched_responses_for_cert(self, cert):
        return []


class _NoCrl(CRLFetcher):
    async def fetch(self, cert, *, use_deltas=None):
        raise cv_errors.CRLFetchError(REFUSED)

    def fetched_crls(self):
        return []

    def fetched_crls_for_cert(self, cert):
        return []


class _NoCerts(CertificateFetcher):
    async def fetch_cert_issuers(self, cert):
        raise cv_errors.CertificateFetchError(REFUSED)
        yield  # an async generator, as the interface has it

    async def fetch_crl_issuers(self, certificate_list):
        raise cv_errors.CertificateFetchError(REFUSED)
        yield

    def fetched_certs(self):
        return []


class UnreachableBackend(FetcherBackend):
    """pyHanko's fetcher seam with the network down: every OCSP, CRL and certificate fetch fails."""

    def get_fetchers(self) -> Fetchers:
        return Fetchers(_NoOcsp(), _NoCrl(), _NoCerts())

    async def close(self) -> None:
        return None
