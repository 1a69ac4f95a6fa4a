"""Documents per second: siakgate's batch signer against the straightforward pyHanko recipe.

Both sides sign the same N draft KK PDFs (mock SIAK's renderer, ``draft=False``) in the same run,
with the same key (certs/ kepala-dinas, RSA-2048) and the same appearance: invisible, in a new field
(``TTE_BENCH``) so that neither side draws anything. Rows: PAdES B-B, and B-T with mock BSrE's RFC 3161
timestamps (mock BSrE started in-process on a free port). A warm-up on two documents is excluded. One
output of each side is validated with pyHanko (intact, trusted, timestamp trusted at B-T), and every
document must have been signed, so a broken fast path cannot win.

    .venv/bin/python bench/sign_bench.py [-n 50] [--levels B-B,B-T] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import anyio
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "certs"
SIGNER = "kepala-dinas"
FIELD = "TTE_BENCH"
WARMUP = 2


def _der(path: Path) -> bytes:
    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)


def render_documents(n: int, seed: int = 2026) -> list[bytes]:
    from mock_siak.draft_pdf import render_draft_kk
    from mock_siak.population import generate_population

    return [
        render_draft_kk(
            family,
            no_permohonan=f"BENCH-{i:05d}",
            issued_on=date(2026, 11, 22),
            kepala_dinas_name="Drs. Bambang Setiawan, M.Si.",
            kepala_dinas_nip="197205121998031001",
            kab_name="KABUPATEN LUMAJANG",
            draft=False,
        )
        for i, family in enumerate(generate_population(seed, n))
    ]


def recipe(pdfs: Sequence[bytes], tsa_url: str | None) -> list[bytes]:
    """The straightforward recipe: SimpleSigner loaded once from files, sign_pdf once per document."""
    signer = signers.SimpleSigner.load(
        str(CERTS / "keys" / f"{SIGNER}.key.pem"),
        str(CERTS / f"{SIGNER}.crt"),
        ca_chain_files=(str(CERTS / "issuing-ca.crt"), str(CERTS / "root-ca.crt")),
    )
    assert signer is not None
    timestamper = HTTPTimeStamper(tsa_url) if tsa_url else None
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=SigSeedSubFilter.PADES)
    return [
        signers.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer, timestamper=timestamper
        ).getvalue()
        for pdf in pdfs
    ]


def siakgate_batch(pdfs: Sequence[bytes], tsa_url: str | None, level: str) -> list[bytes]:
    """siakgate's batch signer: the PKCS#12 backend (key decrypted once) + the batch engine."""
    from siakgate.signing.api import Credential, PadesLevel, SigningOptions, SignRequest
    from siakgate.signing.pkcs12 import Pkcs12Backend

    manifest = json.loads((CERTS / "manifest.json").read_text())
    passphrase = manifest["entities"][SIGNER]["p12_passphrase"]
    backend = Pkcs12Backend(CERTS / "p12" / f"{SIGNER}.p12")
    requests = [SignRequest(str(i), pdf, field_name=FIELD) for i, pdf in enumerate(pdfs)]
    options = SigningOptions(level=PadesLevel(level), timestamp_url=tsa_url, trust_roots=(_der(CERTS / "root-ca.crt"),))

    async def run() -> list[bytes]:
        results = await backend.sign_batch(requests, Credential.passphrase(passphrase), options)
        failed = [r for r in results if not r.ok]
        if failed:
            raise RuntimeError(f"siakgate batch: {len(failed)} of {len(results)} failed, first: {failed[0].error}")
        return [r.signed_pdf for r in results if r.signed_pdf is not None]

    return anyio.run(run)


def check(pdf: bytes, timestamped: bool) -> None:
    """pyHanko's verdict on one output: intact, valid, trusted (and a trusted timestamp at B-T)."""
    root = asn1_x509.Certificate.load(_der(CERTS / "root-ca.crt"))
    sig = PdfFileReader(BytesIO(pdf)).embedded_signatures[-1]
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root], allow_fetching=False))
    if not (status.intact and status.valid and status.trusted):
        raise RuntimeError(f"bench output does not validate: {status.summary()}")
    ts = status.timestamp_validity
    if timestamped and (ts is None or not ts.trusted):
        raise RuntimeError("bench output has no trusted signature timestamp")


@contextmanager
def mock_tsa() -> Iterator[str]:
    from mock_bsre.app import create_app
    from mock_bsre.config import BsreMockConfig
    from mock_common.server import start_in_thread

    with tempfile.TemporaryDirectory(prefix="bench-bsre-") as state:
        server = start_in_thread(create_app(BsreMockConfig(state_dir=Path(state))))
        try:
            yield f"{server.url}/pki/tsa"
        finally:
            server.stop()


def _timed(fn: Any, *args: Any) -> tuple[float, list[bytes]]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def bench_level(all_pdfs: Sequence[bytes], n: int, level: str, tsa_url: str | None) -> dict[str, Any]:
    tsa = tsa_url if level != "B-B" else None
    recipe(all_pdfs[:WARMUP], tsa)
    siakgate_batch(all_pdfs[:WARMUP], tsa, level)
    pdfs = all_pdfs[:n]
    recipe_s, recipe_out = _timed(recipe, pdfs, tsa)
    batch_s, batch_out = _timed(siakgate_batch, pdfs, tsa, level)
    for outputs in (recipe_out, batch_out):
        if len(outputs) != len(pdfs):
            raise RuntimeError("a side did not sign every document")
        check(outputs[0], timestamped=tsa is not None)
        check(outputs[-1], timestamped=tsa is not None)
    recipe_rate, batch_rate = len(pdfs) / recipe_s, len(pdfs) / batch_s
    return {
        "level": level,
        "documents": len(pdfs),
        "recipe_seconds": round(recipe_s, 3),
        "siakgate_seconds": round(batch_s, 3),
        "recipe_docs_per_second": round(recipe_rate, 2),
        "siakgate_docs_per_second": round(batch_rate, 2),
        "ratio": round(batch_rate / recipe_rate, 2),
    }


def run_bench(n: int = 50, levels: Sequence[str] = ("B-B", "B-T")) -> dict[str, Any]:
    if n < 1:
        raise ValueError("n must be at least 1")
    pdfs = render_documents(max(n, WARMUP))
    with mock_tsa() as tsa_url:
        rows = [bench_level(pdfs, n, level, tsa_url) for level in levels]
    return {"appearance": "invisible", "signer": f"{SIGNER} (RSA-2048)", "warmup_documents": WARMUP, "rows": rows}


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{'level':6} {'docs':>5} {'recipe doc/s':>13} {'siakgate doc/s':>15} {'ratio':>7}",
        "-" * 50,
    ]
    for row in result["rows"]:
        lines.append(
            f"{row['level']:6} {row['documents']:>5} {row['recipe_docs_per_second']:>13.1f} "
            f"{row['siakgate_docs_per_second']:>15.1f} {row['ratio']:>6.1f}x"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=50, help="documents per side and level (default 50)")
    parser.add_argument("--levels", default="B-B,B-T")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run_bench(args.n, [level.strip() for level in args.levels.split(",") if level.strip()])
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
