"""Test material for the verification tests: PDFs signed with the certs/ PKI at each PAdES level.

Signing here uses pyHanko directly (not siakgate.signing), so the verifier is tested against an
independent producer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
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
