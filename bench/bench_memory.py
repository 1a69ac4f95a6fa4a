"""Row 6's child process: sign N KKs in ONE batch (B-B, PKCS#12) and report this process's peak RSS.

Run by ``sign_bench.py`` once per N, each in a fresh interpreter so one N's peak never hides another's::

    .venv/bin/python bench/bench_memory.py N CERTS_DIR

Prints one JSON object: ``n``, ``maxrss_mb`` (``ru_maxrss`` taken right after the batch returned, before any
validation), ``outputs_mb`` (the signed bytes the batch handed back, which a caller holding every result must
keep), ``cpu_s``, ``wall_s``, ``validated`` (a sample checked with pyHanko) or ``refused`` (why not).
A few distinct KKs are rendered once and fed N times: distinct bytes are not needed to measure memory.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_kit as kit

DISTINCT = 8


def main(argv: list[str]) -> int:
    n, pki = int(argv[0]), kit.Pki(Path(argv[1]))
    from siakgate.signing.api import Credential, PadesLevel, SigningOptions, SignRequest
    from siakgate.signing.pkcs12 import Pkcs12Backend

    pool = kit.render_documents(DISTINCT)
    pdfs = kit.cycled(pool, n)
    requests = [SignRequest(f"kk-{i}", pdf, field_name="TTE_BENCH") for i, pdf in enumerate(pdfs)]
    options = SigningOptions(level=PadesLevel.B_B, trust_roots=(pki.root_der,))
    backend = Pkcs12Backend(pki.p12)

    async def run() -> list[bytes | None]:
        results = await backend.sign_batch(requests, Credential.passphrase(pki.p12_passphrase), options)
        return [r.signed_pdf for r in results]

    timing, outputs = kit.timed(lambda: anyio.run(run))
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    report: dict[str, object] = {
        "n": n,
        "maxrss_mb": round(maxrss_mb, 1),
        "outputs_mb": round(sum(len(o or b"") for o in outputs) / 2**20, 1),
        "cpu_s": round(timing.cpu, 2),
        "wall_s": round(timing.wall, 2),
    }
    try:
        report["validated"] = kit.check_outputs("siakgate", pdfs, outputs, "B-B", pki)
    except kit.Refused as exc:
        report["refused"] = str(exc)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
