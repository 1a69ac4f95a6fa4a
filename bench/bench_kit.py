"""What every row of the signing benchmark shares: documents, timing, mock BSrE in its own process, validation.

Why a module of its own: the rows (``sign_bench.py``) should read as "what is measured"; how a figure is taken
(process CPU time of this interpreter, threads included), how an output is judged (pyHanko, not siakgate), and how
mock BSrE is started (``python -m mock_bsre`` in a child process, so its CPU never counts as the gateway's) live here.
"""

from __future__ import annotations

import contextlib
import json
import math
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

import httpx
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "certs"
SIGNER = "kepala-dinas"
SIGNER_NAME = "Drs. Bambang Setiawan, M.Si."
SIGNER_NIP = "197205121998031001"
KEPALA_NIK = "3508011205720001"
"""Mock BSrE's Kepala Dinas (mock_bsre/signers.yaml): the same key as certs/ kepala-dinas."""
BSRE_PASSPHRASE = "kepala-dinas-uji-123"  # noqa: S105 - a published test value
"""The test passphrase mock BSrE holds for that signer (not a secret: mock_bsre/signers.yaml)."""
BSRE_CLIENT = ("siakgate", "siakgate-dev")
"""Mock BSrE's default application account (mock_bsre/config.py)."""
AIA_PORT = 8082
"""The port the test PKI in certs/ names for OCSP, CRLs and caIssuers."""

T = TypeVar("T")


class Refused(Exception):
    """A row whose outputs do not validate (or could not be measured honestly): it is not reported."""


# --- documents -----------------------------------------------------------------------------------------------


def render_documents(n: int, seed: int = 2026) -> list[bytes]:
    """N distinct draft KKs (mock SIAK's renderer, ``draft=False``): what a Dinas signs."""
    from mock_siak.draft_pdf import render_draft_kk
    from mock_siak.population import generate_population

    return [
        render_draft_kk(
            family,
            no_permohonan=f"BENCH-{i:05d}",
            issued_on=date(2026, 11, 22),
            kepala_dinas_name=SIGNER_NAME,
            kepala_dinas_nip=SIGNER_NIP,
            kab_name="KABUPATEN LUMAJANG",
            draft=False,
        )
        for i, family in enumerate(generate_population(seed, n))
    ]


def cycled(pool: Sequence[bytes], n: int) -> list[bytes]:
    """N documents from a few distinct ones (memory and latency rows: distinct bytes are not needed)."""
    return [pool[i % len(pool)] for i in range(n)]


# --- the test PKI ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    """The test PKI the run signs with: certs/ itself, or its variant for the port mock BSrE listens on."""

    certs_dir: Path

    def der(self, name: str) -> bytes:
        path = self.certs_dir / f"{name}.crt"
        return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)

    @property
    def root_der(self) -> bytes:
        return self.der("root-ca")

    @property
    def root(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.root_der)

    @property
    def p12(self) -> Path:
        return self.certs_dir / "p12" / f"{SIGNER}.p12"

    @property
    def p12_passphrase(self) -> str:
        manifest = json.loads((self.certs_dir / "manifest.json").read_text(encoding="utf-8"))
        return str(manifest["entities"][SIGNER]["p12_passphrase"])

    @property
    def key_pem(self) -> Path:
        return self.certs_dir / "keys" / f"{SIGNER}.key.pem"


# --- timing ----------------------------------------------------------------------------------------------------


def _pool_worker_cpu() -> float:
    """CPU seconds siakgate's signing process pool reports for its workers (forkserver workers are not this
    process's children, so ``RUSAGE_CHILDREN`` misses them); 0 when the package has no pool."""
    try:
        from siakgate.signing._pool import worker_cpu
    except ImportError:
        return 0.0
    return float(worker_cpu.seconds)


def process_cpu() -> float:
    """CPU seconds of this process so far, every thread included (user + system), plus its children that have
    ended and the signing pool's workers (mock BSrE, reaped only when the run ends, never counts)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + _pool_worker_cpu()


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def timed(fn: Callable[[], T]) -> tuple[Timing, T]:
    """Wall and process CPU time of ``fn()``."""
    wall0, cpu0 = time.perf_counter(), process_cpu()
    out = fn()
    return Timing(time.perf_counter() - wall0, process_cpu() - cpu0), out


def per_doc(timing: Timing, n: int) -> dict[str, float]:
    """The figures every signing side reports: CPU ms per document, documents per second (wall and per core)."""
    return {
        "documents": n,
        "wall_s": round(timing.wall, 3),
        "cpu_s": round(timing.cpu, 3),
        "cpu_ms_per_doc": round(1000 * timing.cpu / n, 2),
        "docs_per_s_wall": round(n / timing.wall, 1),
        "docs_per_s_per_core": round(n / max(timing.cpu, 1e-6), 1),
    }


def openssl_rsa2048_sign_ms() -> float | None:
    """``openssl speed -seconds 1 rsa2048``: ms per RSA-2048 signature, the floor for one core (None: no openssl)."""
    try:
        out = subprocess.run(
            ["openssl", "speed", "-seconds", "1", "rsa2048"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[:3] == ["rsa", "2048", "bits"]:
            return round(1000 * float(fields[3].rstrip("s")), 3)
    return None


# --- validation (pyHanko's verdict, not siakgate's) ------------------------------------------------------------


def sample(n: int) -> list[int]:
    """The outputs to validate: at least 10 % and at least 2 (all when fewer), spread over the batch."""
    k = min(n, max(2, math.ceil(n / 10)))
    if k == n:
        return list(range(n))
    step = (n - 1) / (k - 1)
    return sorted({round(i * step) for i in range(k)})


def _ades_lta_offline(sig: Any, pki: Pki) -> Any:
    """pyHanko's AdES LTA process with only what the PDF carries (CMS + DSS), revocation hard-fail."""
    import asyncio

    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    spec = SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build([pki.root]),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail")),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
    )
    return asyncio.run(ades_lta_validation(sig, PdfSignatureValidationSpec(spec)))


def validate(pdf: bytes, level: str, pki: Pki) -> None:
    """pyHanko's verdict on one output. B-B/B-T: intact, valid, trusted (no fetching), and a trusted signature
    timestamp from B-T on. B-LT/B-LTA: a DSS with certificates and OCSP responses or CRLs, and pyHanko's AdES LTA
    process OFFLINE (CMS + DSS only, revocation hard-fail) finds the signature and its timestamp valid and trusted
    (stopping at NO_POE for B-LT, which only B-LTA's document timestamp resolves). Raises :class:`Refused`."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_regular_signatures
    except Exception as exc:  # a broken file is a refusal, whatever pyHanko raises
        raise Refused(f"not a readable PDF ({type(exc).__name__})") from exc
    if not signatures:
        raise Refused("no signature")
    sig = signatures[-1]
    if level in ("B-LT", "B-LTA"):
        dss = reader.root.get("/DSS")
        if dss is None:
            raise Refused(f"no DSS at {level}")
        dss = dss.get_object()
        if not dss.get("/Certs") or not (dss.get("/OCSPs") or dss.get("/CRLs")):
            raise Refused("the DSS lacks certificates or revocation data")
        if level == "B-LTA" and not reader.embedded_timestamp_signatures:
            raise Refused("no document timestamp at B-LTA")
        try:
            result = _ades_lta_offline(sig, pki)
        except Exception as exc:
            raise Refused(f"pyHanko could not validate it: {type(exc).__name__}: {exc}") from exc
        status, ts = result.api_status, result.signature_timestamp_status
        if status is None or not (status.bottom_line and status.trusted):
            raise Refused(f"pyHanko AdES (offline): {result.failure_msg}")
        if ts is None or ts.ades_subindic is not AdESPassed.OK:
            raise Refused("no trusted signature timestamp")
        expected = AdESIndeterminate.NO_POE if level == "B-LT" else AdESPassed.OK
        if result.ades_subindic is not expected:
            raise Refused(f"pyHanko AdES (offline): {result.ades_subindic} {result.failure_msg or ''}".strip())
        return
    try:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[pki.root], allow_fetching=False))
    except Exception as exc:
        raise Refused(f"pyHanko could not validate it: {type(exc).__name__}: {exc}") from exc
    if not (status.intact and status.valid and status.trusted):
        raise Refused(f"pyHanko: {status.summary()}")
    if level != "B-B":
        ts = status.timestamp_validity
        if ts is None or not (ts.intact and ts.valid and ts.trusted):
            raise Refused("no trusted signature timestamp")


def check_outputs(side: str, originals: Sequence[bytes], outputs: Sequence[bytes | None], level: str, pki: Pki) -> int:
    """Every document signed (an incremental update of its original), and a sample validated; returns how many
    were validated. Raises :class:`Refused` naming the side and the document."""
    if len(outputs) != len(originals):
        raise Refused(f"{side}: {len(outputs)} outputs for {len(originals)} documents")
    for i, (original, out) in enumerate(zip(originals, outputs, strict=True)):
        if out is None or not out.startswith(original) or len(out) <= len(original):
            raise Refused(f"{side}: document {i} was not signed as an incremental update")
    picked = sample(len(outputs))
    for i in picked:
        out = outputs[i]
        assert out is not None
        try:
            validate(out, level, pki)
        except Refused as exc:
            raise Refused(f"{side}: document {i}: {exc}") from exc
    return len(picked)


# --- mock BSrE in its own process ------------------------------------------------------------------------------


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pki_for(url: str, state: Path) -> Path:
    """The test PKI ``make run`` gives mock BSrE at ``url``: scripts/run.py's ``pki_for`` (certs/ on port 8082,
    else its variant for ``url``, same keys and identities)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("siakgate_run_script", ROOT / "scripts" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = run  # its dataclasses look their module up there
    spec.loader.exec_module(run)
    with contextlib.redirect_stdout(sys.stderr):  # its report of what it wrote is not part of the table
        certs: Path = run.pki_for(url, state)
    return certs


@dataclass
class MockBsre:
    """Mock BSrE running as ``python -m mock_bsre`` in a child process."""

    url: str
    pki: Pki
    process: subprocess.Popen[bytes]

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/pki/tsa"

    def set_latency(self, ms: int) -> None:
        """Every answer delayed by ``ms`` (mock_common/faults.py, set through ``PUT /_admin/faults``)."""
        httpx.put(f"{self.url}/_admin/faults", json={"latency_ms": ms}, timeout=10).raise_for_status()


@contextmanager
def mock_bsre(state: Path) -> Iterator[MockBsre]:
    """Start mock BSrE on 127.0.0.1:8082 when free (the test PKI's own address), else on a free port with the
    test PKI regenerated for that port under ``state``; stop it afterwards."""
    port = AIA_PORT if _port_free(AIA_PORT) else _free_port()
    url = f"http://127.0.0.1:{port}"
    certs = _pki_for(url, state)
    log = (state / "mock_bsre.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "mock_bsre", "--host", "127.0.0.1", "--port", str(port)),
            *("--state-dir", str(state / "mock_bsre"), "--certs-dir", str(certs)),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"mock BSrE exited ({process.returncode}); see {state / 'mock_bsre.log'}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("mock BSrE did not answer within 60 s")
            time.sleep(0.1)
        yield MockBsre(url, Pki(certs), process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
