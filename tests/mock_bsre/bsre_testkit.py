"""Helpers for the mock BSrE tests: small PDFs (reportlab), images, and pyHanko validation."""

from __future__ import annotations

import base64
from io import BytesIO
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from mock_bsre.keys import asn1_cert
from mock_bsre.pki import load_pki

CERTS = Path(__file__).resolve().parents[2] / "certs"
UNREGISTERED_NIK = "3508019999990099"
KEPALA = {"nik": "3508011205720001", "passphrase": "kepala-dinas-uji-123"}
SEKRETARIS = {"nik": "3508016308750002", "passphrase": "sekretaris-uji-456"}
SEAL_ID = "SEAL-DISDUKCAPIL-LMJ-001"
TAG_POS = (600.0, 120.0)  # where make_pdf prints the tag marker


def make_pdf(pages: int = 1, tag: str | None = "#", text: str = "KARTU KELUARGA") -> bytes:
    """An uncompressed A4 landscape PDF; ``tag`` printed alone at TAG_POS on the last page."""
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4), pageCompression=0, invariant=1)
    for i in range(pages):
        c.setFont("Helvetica", 14)
        c.drawString(72, 500, f"{text} halaman {i + 1}")
        if tag and i == pages - 1:
            c.drawString(*TAG_POS, tag)
        c.showPage()
    c.save()
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def make_png() -> bytes:
    buf = BytesIO()
    Image.new("RGB", (60, 30), (10, 60, 160)).save(buf, format="PNG")
    return buf.getvalue()


def validate(pdf: bytes, password: str | None = None) -> list[object]:
    """pyHanko's verdict on every signature, trusting only certs/root-ca.crt."""
    pki = load_pki(CERTS)
    reader = PdfFileReader(BytesIO(pdf))
    if reader.encrypted:
        reader.decrypt(password or "")
    results = []
    for sig in reader.embedded_signatures:
        vc = ValidationContext(
            trust_roots=[asn1_cert(pki.root)],
            other_certs=[asn1_cert(pki.issuing_ca)],
            allow_fetching=False,
        )
        results.append(validate_pdf_signature(sig, signer_validation_context=vc))
    return results


def flip_text(pdf: bytes, old: bytes = b"KARTU", new: bytes = b"KARTV") -> bytes:
    """Change printed text inside the signed range (same length, so offsets stay right)."""
    assert old in pdf
    return pdf.replace(old, new, 1)
