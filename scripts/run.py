"""`make run`: start mock SIAK, mock BSrE and the gateway on 127.0.0.1 with the embedded defaults; say where they are.

Each service runs as its own process (as it would in an office: SIAK and the Esign Client are separate servers),
with its state under ``var/``. The gateway starts after the mocks, on its embedded SQLite database
``var/siakgate/siakgate.db`` (migrated at start), as ``python -m siakgate.api.serving`` with ``GATEWAY_WORKERS``
uvicorn worker processes (2 by default, one per core; see there what is per process; with 1 it is
``siakgate serve``), which waits for its database first. A demo API token with every role is created and
printed. Then the signing workstation's demo officers (``kasi``, ``kepaladinas``) are created with the demo
password, unless they exist already (then nothing about them changes). The banner (:func:`banner`, in Bahasa
Indonesia) always says how to sign in, with which signing passphrases, and gives a demo command naming every
port in use.

Ctrl-C (SIGINT) or SIGTERM stops them all, the gateway first, and ends with exit code 0 and one line; a second
Ctrl-C while they stop kills what still runs, also with exit code 0. Every process started here runs in a process
group of its own, so the terminal's Ctrl-C reaches this script only: the services get SIGTERM from it, in order,
and none is interrupted halfway through its start-up (no KeyboardInterrupt traceback).

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
        process_group=0,
    )
    if result.returncode != 0:
        raise SystemExit(f"token API demo tidak dapat dibuat: {result.stderr.strip()}")
    return result.stdout.strip()


DEMO_PASSWORD = "demo-ws-2026"  # noqa: S105 - a development password, printed in the banner
DEMO_ACCOUNTS = [
    ("kasi", "KASI", "Siti Rahayu, S.Sos. (Kasi)"),
    ("kepaladinas", "KEPALA_DINAS", "Drs. Bambang Setiawan, M.Si."),
]
DEMO_PASSPHRASES = [
    ("kepaladinas", "Kepala Dinas", "kepala-dinas-uji-123"),  # mock_bsre/signers.yaml: kepala-dinas
    ("Sekcam", "pengantar kecamatan", "sekcam-uji-789"),  # mock_bsre/signers.yaml: sekcam
]
"""The signing passphrases of mock BSrE's test signers (not the accounts' passwords): asked when signing."""


def siakgate_command() -> str:
    """How to call ``siakgate`` from the repository: the venv's script (``.venv/bin`` is not on PATH)."""
    script = Path(sys.executable).parent / "siakgate"
    try:
        return str(script.relative_to(ROOT))
    except ValueError:
        return str(script)


def create_demo_accounts() -> list[tuple[str, str, bool]]:
    """The workstation's demo officers (``siakgate users add``): ``(username, role, created now)`` each;
    existing accounts are left as they are (their password may have been changed since)."""
    listed = subprocess.run(
        [sys.executable, "-m", "siakgate", "users", "list"],
        cwd=ROOT,
        env=gateway_env(),
        capture_output=True,
        text=True,
        check=False,
        process_group=0,
    )
    existing = {line.split("\t", 1)[0] for line in listed.stdout.splitlines()}
    accounts = []
    for username, role, name in DEMO_ACCOUNTS:
        if username in existing:
            accounts.append((username, role, False))
            continue
        add = ["users", "add", username, "--role", role, "--name", name, "--password-env", "SIAKGATE_DEMO_PASSWORD"]
        result = subprocess.run(
            [sys.executable, "-m", "siakgate", *add],
            cwd=ROOT,
            env={**gateway_env(), "SIAKGATE_DEMO_PASSWORD": DEMO_PASSWORD},
            capture_output=True,
            text=True,
            check=False,
            process_group=0,
        )
        if result.returncode != 0:
            raise SystemExit(f"akun demo {username} tidak dapat dibuat: {result.stderr.strip()}")
        accounts.append((username, role, True))
    return accounts


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def _say(line: str) -> None:
    """One line on stdout straight to the file descriptor (safe inside a signal handler)."""
    os.write(sys.stdout.fileno(), (line + "\n").encode())


class StopRequested(Exception):
    """Ctrl-C (SIGINT) or SIGTERM arrived: stop everything, cleanly."""


class Stopper:
    """The first Ctrl-C/SIGTERM asks for a clean stop (the services are terminated, then waited for); a second
    one while stopping kills what is still running. Either way ``make run`` ends with exit code 0."""

    def __init__(self) -> None:
        self.requested = False
        self.forced = False
        self.procs: list[subprocess.Popen[bytes]] = []

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, *_: object) -> None:
        # os.write, not print: a signal may arrive while the main thread is inside print (a reentrant call fails).
        if not self.requested:
            self.requested = True
            _say(
                "\nCtrl-C diterima: menghentikan gateway, mock BSrE dan mock SIAK ... "
                "(Ctrl-C sekali lagi: hentikan paksa)"
            )
            return
        if not self.forced:
            self.forced = True
            _say("Ctrl-C kedua: layanan yang masih berjalan dihentikan paksa.")
            for proc in self.procs:
                if proc.poll() is None:
                    proc.kill()

    def check(self) -> None:
        if self.requested:
            raise StopRequested

    def sleep(self, seconds: float) -> None:
        self.check()
        time.sleep(seconds)
        self.check()

    def stop_all(self) -> None:
        """Terminate every service (the gateway first), wait for each; kill what outlives 10 s or a second Ctrl-C."""
        for proc in reversed(self.procs):
            if proc.poll() is None and not self.forced:
                proc.terminate()
        for proc in reversed(self.procs):
            deadline = time.monotonic() + 10
            while proc.poll() is None and time.monotonic() < deadline and not self.forced:
                time.sleep(0.1)
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def wait_ready(service: Service, proc: subprocess.Popen[bytes], stopper: Stopper, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stopper.check()
        if proc.poll() is not None:
            stopper.check()
            raise SystemExit(f"{service.name} berhenti saat dijalankan (kode keluar {proc.returncode})")
        try:
            if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        stopper.sleep(0.2)
    raise SystemExit(f"{service.name} tidak menjawab di {service.url}/healthz dalam {timeout:.0f} dtk")


def main() -> int:
    busy = [s for s in (*SERVICES, GATEWAY) if port_in_use(s.port)]
    if busy:
        names = ", ".join(f"{s.name} ({HOST}:{s.port})" for s in busy)
        print(
            f"Port sudah dipakai: {names}. Hentikan yang berjalan di sana, "
            "atau pakai port lain: MOCK_SIAK_PORT / MOCK_BSRE_PORT / GATEWAY_PORT."
        )
        return 1
    stopper = Stopper()
    stopper.install()
    procs = stopper.procs
    _, bsre = SERVICES
    try:
        pki_dir = pki_for(bsre.url, STATE_ROOT)
        for service in SERVICES:
            state = STATE_ROOT / service.module
            state.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", service.module, "--host", HOST, "--port", str(service.port)]
            cmd += ["--state-dir", str(state), *service.extra]
            if service is bsre:
                cmd += ["--certs-dir", str(pki_dir)]
            procs.append(subprocess.Popen(cmd, cwd=ROOT, process_group=0))
        for service, proc in zip(SERVICES, procs, strict=True):
            wait_ready(service, proc, stopper)
        # The token command migrates the database first; the gateway then finds it at head.
        token = create_demo_token()
        stopper.check()
        # siakgate.api.serving (also for one worker: it is `siakgate serve` then) waits for the database first.
        cmd = [sys.executable, "-m", "siakgate.api.serving", "--host", HOST, "--port", str(GATEWAY.port)]
        cmd += ["--workers", str(GATEWAY_WORKERS)]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=gateway_env(pki_dir), process_group=0))
        wait_ready(GATEWAY, procs[-1], stopper)
        accounts = create_demo_accounts()
        stopper.check()
        print(banner(token, accounts, pki_dir), flush=True)
        services = [*SERVICES, GATEWAY]
        while all(proc.poll() is None for proc in procs):
            stopper.sleep(0.5)
        stopper.check()  # a service that ends because of the same Ctrl-C is no surprise
        failed = [s.name for s, p in zip(services, procs, strict=True) if p.poll() is not None]
        print(f"Berhenti tanpa diminta: {', '.join(failed)}; layanan lain dihentikan.")
        return 1
    except StopRequested:
        return 0
    except SystemExit:
        if stopper.requested:
            return 0  # a start-up step failed because its process got the same Ctrl-C
        raise
    finally:
        stopper.stop_all()
        if stopper.requested:
            print("Semua layanan siakgate sudah berhenti.", flush=True)


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside (``var/siakgate``), else as it is."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def banner(
    token: str,
    accounts: list[tuple[str, str, bool]],
    pki_dir: Path = CERTS_DIR,
    *,
    siak: Service | None = None,
    bsre: Service | None = None,
    gateway_service: Service | None = None,
    siakgate: str | None = None,
) -> str:
    """What ``make run`` prints once everything answers: where each service is, how to sign in to the
    workstation (every time, also when the accounts existed already), the demo signing passphrases and a demo
    command that names every port in use."""
    siak = siak or SERVICES[0]
    bsre = bsre or SERVICES[1]
    gateway_service = gateway_service or GATEWAY
    siakgate = siakgate or siakgate_command()
    pki = "certs/" if pki_dir == CERTS_DIR else f"{pki_dir} (certs/ dibuat untuk port ini)"
    gateway = gateway_service.url
    officers = []
    for username, role, created in accounts:
        note = "baru dibuat" if created else "sudah ada sejak make run sebelumnya; kata sandinya tidak diubah"
        officers.append(f"                {username:<12} kata sandi {DEMO_PASSWORD}   ({role}; {note})")
    passphrases = "\n".join(
        f"                {who:<12} {passphrase}   ({what})" for who, what, passphrase in DEMO_PASSPHRASES
    )
    moved_state = STATE_ROOT != ROOT / "var"  # the command line's default state directory is ./var
    reset = f"SIAKGATE_STATE_DIR={_shown(STATE_ROOT)} {siakgate}" if moved_state else siakgate
    demo = f"SIAKGATE_DEMO_TOKEN={token} {siakgate} demo --out /tmp/kk-demo --gateway {gateway}"
    demo += f" --siak-url {siak.url}"
    return f"""
Layanan pengembangan siakgate berjalan (Ctrl-C menghentikan semuanya):

  Meja kerja TTE (browser): {gateway}/ws/
              masuk sebagai:
{chr(10).join(officers)}
              kata sandi lupa atau diganti: {reset} users password kepaladinas
              (kata sandi baru ditanya dua kali; akun juga dibuka kuncinya dan diaktifkan kembali)
              passphrase TTE demo (mock BSrE, mock_bsre/signers.yaml; bukan kata sandi akun):
{passphrases}

  mock SIAK   {siak.url}/siak          WSDL: {siak.url}/siak?wsdl
              login siakgate / siakgate-dev (WS-Security UsernameToken atau HTTP Basic)
              contoh keluarga: {siak.url}/_admin/sample?n=5
  mock BSrE   {bsre.url}/api/...       Esign Client Service API v1 dan v2 (HTTP Basic siakgate / siakgate-dev)
              {bsre.url}/csc/v2/...    tanda tangan hash jarak jauh (CSC API v2)
              {bsre.url}/pki/...       OCSP, CRL, cap waktu RFC 3161 untuk PKI uji di {pki}
              akar kepercayaan: {pki_dir / "root-ca.crt"} (akar yang sama dengan certs/root-ca.crt)
              identitas penanda tangan: mock_bsre/signers.yaml; kotak surat OTP: {bsre.url}/_admin/outbox
  injeksi gangguan di kedua mock: GET/PUT <mock>/_admin/faults

  gateway     {gateway}/v1/...      REST API (OpenAPI: {gateway}/docs, {gateway}/openapi.json)
              {gateway}/healthz   {gateway}/readyz   {gateway}/metrics
              basis data: {STATE_ROOT / "siakgate" / "siakgate.db"} (SQLite, dimigrasikan saat mulai)
              proses worker: {GATEWAY_WORKERS} (GATEWAY_WORKERS)
              dokumen: {STATE_ROOT / "siakgate" / "documents"}
              token API demo (semua peran; hanya ditampilkan sekali): {token}
              coba: curl -H "Authorization: Bearer {token}" {gateway}/v1/applications
              demo: {demo}
              ({siakgate} ada di virtualenv; atau aktifkan dulu: source .venv/bin/activate)

  Data tersimpan di {STATE_ROOT}.
"""


if __name__ == "__main__":
    sys.exit(main())
