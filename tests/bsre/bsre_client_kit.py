"""Shared helpers of the BSrE client tests (imported by basename, hence the unique name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import httpx
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from mock_common.pytest_plugin import MockService

KEPALA_NIK = "3508011205720001"
KEPALA_EMAIL = "bambang.setiawan@dukcapil.lumajang.example"
KEPALA_PASSPHRASE = "kepala-dinas-uji-123"
UNREGISTERED_NIK = "3508019999990099"
SEAL_ID = "SEAL-DISDUKCAPIL-LMJ-001"
STATUS_NIKS = {
    "EXPIRED": "3508010302680003",
    "REVOKE": "3508011709800004",
    "SUSPEND": "3508015011820005",
    "RENEW": "3508014104900007",
    "WAITING_FOR_VERIFICATION": "3508012208910008",
    "NEW": "3508015503930009",
    "NO_CERTIFICATE": "3508010101950010",
}


@dataclass
class Recorder:
    """Every request the client sent (an httpx event hook), bodies included."""

    requests: list[httpx.Request] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> None:
        await request.aread()
        self.requests.append(request)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def bodies(self) -> list[bytes]:
        return [r.content for r in self.requests]


class Sleeps(list[float]):
    """The retry policy's clock seam: records waits instead of sleeping."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def latest_code(mock_bsre: MockService, **query: str) -> str:
    """The newest code mock BSrE "e-mailed" matching ``query`` (admin outbox, never faulted)."""
    messages = httpx.get(f"{mock_bsre.url}/_admin/outbox", params=query).json()["messages"]
    assert messages, f"no outbox message for {query}"
    code: str = messages[-1]["code"]
    return code


CERTS = Path(__file__).resolve().parents[2] / "certs"
TAG_POS = (600.0, 120.0)


def make_pdf(text: str = "KARTU KELUARGA", tag: str | None = "#") -> bytes:
    """A small uncompressed A4 landscape PDF, ``tag`` printed alone at TAG_POS."""
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4), pageCompression=0, invariant=1)
    c.setFont("Helvetica", 14)
    c.drawString(72, 500, text)
    if tag:
        c.drawString(*TAG_POS, tag)
    c.showPage()
    c.save()
    return buf.getvalue()


async def validate(pdf: bytes) -> list[PdfSignatureStatus]:
    """pyHanko's verdict on every signature, trusting only certs/root-ca.crt."""
    root = load_cert_from_pemder(str(CERTS / "root-ca.crt"))
    issuing = load_cert_from_pemder(str(CERTS / "issuing-ca.crt"))
    reader = PdfFileReader(BytesIO(pdf))
    out = []
    for sig in reader.embedded_signatures:
        vc = ValidationContext(trust_roots=[root], other_certs=[issuing], allow_fetching=False)
        out.append(await async_validate_pdf_signature(sig, signer_validation_context=vc))
    return out
