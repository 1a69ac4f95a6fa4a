"""The visible TTE block: QR code, name, NIP and the BSrE sentence, legible and inside the TTE box."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import anyio
import pytest
from signing_kit import KEPALA_DINAS_NAME, KEPALA_DINAS_NIP, p12_passphrase, p12_path, tte_block

from mock_siak.draft_pdf import PAGE_SIZE, TTE_BOX
from siakgate.signing import TTE_SENTENCE, PadesLevel, SigningOptions, SignRequest, TteBlock
from siakgate.signing._fonts import text_width
from siakgate.signing.appearance import layout_lines, qr_modules
from siakgate.signing.engine import sign_batch
from siakgate.signing.pkcs12 import load_pkcs12

PDFTOTEXT = shutil.which("pdftotext")


def test_qr_encodes_the_verification_url() -> None:
    a, b = qr_modules("http://127.0.0.1:8000/v1/verify/a"), qr_modules("http://127.0.0.1:8000/v1/verify/b")
    assert a != b
    assert len(a) == len(a[0]) >= 21


@pytest.mark.parametrize(
    "name", [KEPALA_DINAS_NAME, "Prof. Dr. Ir. Raden Mas Bambang Setiawan Wicaksono, M.Si., M.Kom."]
)
def test_every_line_fits_the_box(name: str) -> None:
    width, height = TTE_BOX[2] - TTE_BOX[0] - 66, TTE_BOX[3] - TTE_BOX[1] - 4
    lines = layout_lines(TteBlock("u", name, KEPALA_DINAS_NIP), width, height)
    assert sum(line.size * 1.18 for line in lines) <= height
    for line in lines:
        assert text_width(line.text, line.font, line.size) <= width + 0.01
        assert line.size >= 3.5
    assert " ".join(line.text for line in lines[3:]) == TTE_SENTENCE


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils pdftotext missing")
def test_block_text_is_inside_the_tte_box(kk_pdf: bytes, tmp_path: Path) -> None:
    signer = load_pkcs12(p12_path().read_bytes(), p12_passphrase())

    async def main() -> bytes:
        (result,) = await sign_batch(
            [SignRequest("a", kk_pdf, tte=tte_block())], signer, SigningOptions(level=PadesLevel.B_B)
        )
        assert result.signed_pdf is not None
        return result.signed_pdf

    path = tmp_path / "signed.pdf"
    path.write_bytes(anyio.run(main))
    assert PDFTOTEXT is not None
    html = subprocess.run([PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = [
        (
            m.group(5),
            float(m.group(1)),
            PAGE_SIZE[1] - float(m.group(4)),
            float(m.group(3)),
            PAGE_SIZE[1] - float(m.group(2)),
        )
        for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)
    ]
    x1, y1, x2, y2 = TTE_BOX
    inside = [w for w in words if w[1] >= x1 - 0.5 and w[3] <= x2 + 0.5 and w[2] >= y1 - 0.5 and w[4] <= y2 + 0.5]
    text = " ".join(w[0] for w in inside)
    assert "(BSrE)," in text
    assert "(BSSN)." in text
    assert "Setiawan," in text
    assert "19720512" in text
    # the sentence's words are all in the box: none spill out
    assert sum(1 for w in words if w[0] in ("(BSrE),", "(BSSN).", "Balai")) == 3
    # the printed name below the box is still there, once outside the box
    below = [w for w in words if w[0] == "Setiawan," and w[4] <= y1]
    assert len(below) == 1
