"""`make run`: start mock SIAK, mock BSrE and the gateway on 127.0.0.1 with the embedded defaults; say where they are.

Each service runs as its own process (as it would in an office: SIAK and the Esign Client are separate servers),
with its state under ``var/``. The gateway starts after the mocks, on its embedded SQLite database
``var/siakgate/siakgate.db`` (migrated at start), with ``GATEWAY_WORKERS`` uvicorn worker processes (2 by default,
one per core: ``python -m siakgate.api.serving``, see there what is per process; 1: ``python -m siakgate serve``),
and a demo API token with every role is created
and printed. Then the signing workstation's demo officers (``kasi``, ``kepaladinas``) are created with a demo
password printed in the banner, unless they exist already (then nothing about them changes). Ctrl-C stops them all.

The test PKI's certificates name mock BSrE's address for OCSP, CRLs and caIssuers (``certs/``: 127.0.0.1:8082). With
``MOCK_BSRE_PORT`` set to another port, the same PKI made for that port (``certs/generate.py --url ... --out ...``:
same keys, subjects and serials, the same root) is generated under ``<state>/pki/<port>`` (or reused when current),
and both mock BSrE and the gateway use it, so signing at B-LT, ``siakgate verify``, pdfsig and pyHanko ask the mock
that runs, never port 8082.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STATE_ROOT = Path(os.environ.get("SIAKGATE_STATE_DIR", ROOT / "var"))
CERTS_DIR = ROOT / "certs"


@dataclass
class Service:
    name: str
    module: str
    port: int
    extra: list[str]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


SERVICES = [
    Service("mock SIAK", "mock_siak", int(os.environ.get("MOCK_SIAK_PORT", 8081)), []),
    Service("mock BSrE", "mock_bsre", int(os.environ.get("MOCK_BSRE_PORT", 8082)), []),
]
GATEWAY = Service("gateway", "siakgate", int(os.environ.get("GATEWAY_PORT", 8000)), [])
GATEWAY_WORKERS = int(os.environ.get("GATEWAY_WORKERS", 2))
DEMO_ROLES = [
    "PEMOHON",
    "OPERATOR_WA",
    "PETUGAS_FO",
    "PETUGAS_LOKET",
    "OPERATOR_SIAK",
    "OPERATOR_DESA",
    "PETUGAS_BO",
    "KASI",
    "KABID",
    "KASI_YANMUM",
    "KEPALA_DINAS",
    "PETUGAS_CETAK",
    "SEKCAM",
    "CAMAT",
    "ADMIN",
    "SEKRETARIAT_PENGADUAN",
    "SEKRETARIS",
]


def _certs_base_url(certs_dir: Path) -> str:
    """Where the certificates in ``certs_dir`` send validators (their manifest's OCSP URL, minus the path)."""
    manifest = json.loads((certs_dir / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["services"]["ocsp"]).removesuffix("/pki/ocsp")


def _pki_generator(certs_dir: Path) -> ModuleType:
    """``certs/generate.py`` as a module (it is a script next to the material, not a package)."""
    spec = importlib.util.spec_from_file_location("siakgate_certs_generate", certs_dir / "generate.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {certs_dir / 'generate.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pki_for(bsre_url: str, state_root: Path, certs_dir: Path = CERTS_DIR) -> Path:
    """The test PKI whose certificates point at mock BSrE on ``bsre_url``.

    ``certs_dir`` itself when its URLs are ``bsre_url`` (port 8082); otherwise its variant for ``bsre_url`` in
    ``<state_root>/pki/<port>``: reused when it was made from the current ``certs_dir``, else (re)generated from
    ``certs_dir``'s keys (never new ones).
    """
    if _certs_base_url(certs_dir) == bsre_url:
        return certs_dir
    port = bsre_url.rsplit(":", 1)[-1]
    out = state_root / "pki" / port
    generator = _pki_generator(certs_dir)
    if not generator.variant_is_current(out, bsre_url, certs_dir):
        print(f"Test PKI for {bsre_url}: generating it in {out} (same keys and identities as {certs_dir})", flush=True)
        generator.generate(certs_dir, base_url=bsre_url, out_dir=out)
    return out


def pki_settings(pki_dir: Path, environ: dict[str, str], certs_dir: Path = CERTS_DIR) -> dict[str, str]:
    """The gateway settings that make it use ``pki_dir`` rather than ``certs_dir`` (none when they are the same).

    The trust root (identical in every variant, but taken from ``pki_dir`` all the same) unless configured, and a
    PKCS#12 file configured inside ``certs_dir/p12`` swapped for the same signer's file in ``pki_dir``, whose
    certificate sends validators to the mock that runs.
    """
    if pki_dir.resolve() == certs_dir.resolve():
        return {}
    settings = {}
    if "SIAKGATE_TRUST_ROOTS" not in environ:
        settings["SIAKGATE_TRUST_ROOTS"] = json.dumps([str(pki_dir / "root-ca.crt")])
    for name in ("SIAKGATE_SIGNING__PKCS12_PATH", "SIAKGATE_SIGNING__SEKCAM_PKCS12_PATH"):
        configured = environ.get(name)
        if configured and Path(configured).resolve().parent == (certs_dir / "p12").resolve():
            settings[name] = str(pki_dir / "p12" / Path(configured).name)
    return settings


def gateway_env(pki_dir: Path = CERTS_DIR) -> dict[str, str]:
    """The gateway's settings: the mocks started here, their test PKI, state under STATE_ROOT (see siakgate.config)."""
    siak, bsre = SERVICES
    return {
        **os.environ,
        "SIAKGATE_STATE_DIR": str(STATE_ROOT),
        "SIAKGATE_SIAK__URL": f"{siak.url}/siak",
        "SIAKGATE_BSRE__URL": bsre.url,
        "SIAKGATE_SIGNING__TSA_URL": f"{bsre.url}/pki/tsa",
        "SIAKGATE_PUBLIC_BASE_URL": GATEWAY.url,
        **pki_settings(pki_dir, dict(os.environ)),
    }


def create_demo_token() -> str:
    """A new token with every role (its name carries the time: tokens are never shown twice)."""
    name = time.strftime("demo-%Y%m%d-%H%M%S")
    roles = [arg for role in DEMO_ROLES for arg in ("--role", role)]
    result = subprocess.run(
        [sys.executable, "-m", "siakgate", "tokens", "add", name, *roles],
        cwd=ROOT,
        env=gateway_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"could not create the demo API token: {result.stderr.strip()}")
    return result.stdout.strip()


DEMO_PASSWORD = "demo-ws-2026"  # noqa: S105 - a development password, printed in the banner
DEMO_ACCOUNTS = [
    ("kasi", "KASI", "Siti Rahayu, S.Sos. (Kasi)"),
    ("kepaladinas", "KEPALA_DINAS", "Drs. Bambang Setiawan, M.Si."),
]


def create_demo_accounts() -> list[str]:
    """The workstation's demo officers (``siakgate users add``); existing accounts are left as they are."""
    listed = subprocess.run(
        [sys.executable, "-m", "siakgate", "users", "list"],
        cwd=ROOT,
        env=gateway_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    existing = {line.split("\t", 1)[0] for line in listed.stdout.splitlines()}
    lines = []
    for username, role, name in DEMO_ACCOUNTS:
        if username in existing:
            lines.append(f"{username} ({role}): already exists, left unchanged")
            continue
        add = ["users", "add", username, "--role", role, "--name", name, "--password-env", "SIAKGATE_DEMO_PASSWORD"]
        result = subprocess.run(
            [sys.executable, "-m", "siakgate", *add],
            cwd=ROOT,
            env={**gateway_env(), "SIAKGATE_DEMO_PASSWORD": DEMO_PASSWORD},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"could not create the demo account {username}: {result.stderr.strip()}")
        lines.append(f"{username} ({role}): password {DEMO_PASSWORD}")
    return lines


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def wait_ready(service: Service, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{service.name} stopped while starting (exit code {proc.returncode})")
        try:
            if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{service.name} did not answer on {service.url}/healthz within {timeout:.0f} s")


def main() -> int:
    busy = [s for s in (*SERVICES, GATEWAY) if port_in_use(s.port)]
    if busy:
        names = ", ".join(f"{s.name} ({HOST}:{s.port})" for s in busy)
        print(
            f"Port already in use: {names}. Stop what runs there, "
            "or set MOCK_SIAK_PORT / MOCK_BSRE_PORT / GATEWAY_PORT."
        )
        return 1
    procs: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _, bsre = SERVICES
    pki_dir = pki_for(bsre.url, STATE_ROOT)
    try:
        for service in SERVICES:
            state = STATE_ROOT / service.module
            state.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", service.module, "--host", HOST, "--port", str(service.port)]
            cmd += ["--state-dir", str(state), *service.extra]
            if service is bsre:
                cmd += ["--certs-dir", str(pki_dir)]
            procs.append(subprocess.Popen(cmd, cwd=ROOT))
        for service, proc in zip(SERVICES, procs, strict=True):
            wait_ready(service, proc)
        # The token command migrates the database first; the gateway then finds it at head.
        token = create_demo_token()
        cmd = [sys.executable, "-m", "siakgate", "serve", "--host", HOST, "--port", str(GATEWAY.port)]
        if GATEWAY_WORKERS > 1:
            cmd = [sys.executable, "-m", "siakgate.api.serving", "--host", HOST, "--port", str(GATEWAY.port)]
            cmd += ["--workers", str(GATEWAY_WORKERS)]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=gateway_env(pki_dir)))
        wait_ready(GATEWAY, procs[-1])
        accounts = create_demo_accounts()
        print_banner(token, accounts, pki_dir)
        services = [*SERVICES, GATEWAY]
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
        failed = [s.name for s, p in zip(services, procs, strict=True) if p.poll() is not None]
        print(f"Stopped unexpectedly: {', '.join(failed)}")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


def print_banner(token: str, accounts: list[str], pki_dir: Path = CERTS_DIR) -> None:
    siak, bsre = SERVICES
    pki = "certs/" if pki_dir == CERTS_DIR else f"{pki_dir} (certs/ made for this port)"
    gateway = GATEWAY.url
    officers = "\n".join(f"                {line}" for line in accounts)
    print(
        f"""
siakgate development services are running (Ctrl-C stops them all):

  mock SIAK   {siak.url}/siak          WSDL: {siak.url}/siak?wsdl
              login siakgate / siakgate-dev (WS-Security UsernameToken or HTTP Basic)
              sample families: {siak.url}/_admin/sample?n=5
  mock BSrE   {bsre.url}/api/...       Esign Client Service API v1 and v2 (HTTP Basic siakgate / siakgate-dev)
              {bsre.url}/csc/v2/...    remote hash signing (CSC API v2)
              {bsre.url}/pki/...       OCSP, CRLs, RFC 3161 timestamps for the test PKI in {pki}
              trust anchor: {pki_dir / "root-ca.crt"} (the same root as certs/root-ca.crt)
              signer identities: mock_bsre/signers.yaml; OTP mail outbox: {bsre.url}/_admin/outbox
  fault injection on either mock: GET/PUT <mock>/_admin/faults

  gateway     {gateway}/v1/...      REST API (OpenAPI: {gateway}/docs, {gateway}/openapi.json)
              {gateway}/healthz   {gateway}/readyz   {gateway}/metrics
              database: {STATE_ROOT / "siakgate" / "siakgate.db"} (SQLite, migrated at start)
              worker processes: {GATEWAY_WORKERS} (GATEWAY_WORKERS)
              documents: {STATE_ROOT / "siakgate" / "documents"}
              demo API token (every role; shown once): {token}
              try: curl -H "Authorization: Bearer {token}" {gateway}/v1/applications
              demo: SIAKGATE_DEMO_TOKEN={token} siakgate demo --out /tmp/kk-demo --gateway {gateway}
              signing workstation (browser): {gateway}/ws/   demo officers:
{officers}

  State lives in {STATE_ROOT}.
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
