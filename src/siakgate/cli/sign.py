"""``siakgate sign IN.pdf -o OUT.pdf [--backend KIND ...]``: sign one PDF (PAdES), as the gateway would.

The backend is described by the options (a :class:`~siakgate.signing.factory.BackendSpec`) and built by
the same factory the gateway uses. Exit codes: 0 signed, 1 signing refused (wrong passphrase, revoked
certificate, ...), 2 the input is not a readable PDF or the command itself is wrong. Nothing is written
at ``OUT.pdf`` unless signing succeeded, and then the whole file at once (:func:`write_atomically`).

A passphrase, PIN or OTP is never a command-line argument (``ps`` would show it): it is asked on the
terminal (getpass), or read from the environment variable *named* by ``--passphrase-env``.

Jurisdiction: ``--region KODE`` says which region the document (a KK) belongs to; the key is then bound
to the Dinas's regencies (``SIAKGATE_SIGNING__REGENCIES``), as the gateway's Kepala Dinas key is, and a
KK of another regency is refused (exit 1, WILAYAH_DI_LUAR_KEWENANGAN) before the key is used. Without
``--region`` no binding applies: the command signs any PDF, and a PDF does not say, in a form the
command could trust, which regency issued it (the gateway knows it from the application).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siakgate.cli._common import EXIT_INVALID, EXIT_OK, UsageProblem, error, load_settings, read_input, trust_roots
from siakgate.clock import Clock
from siakgate.errors import SiakgateError

if TYPE_CHECKING:
    from siakgate.config import Settings
    from siakgate.signing.api import Credential
    from siakgate.signing.factory import BackendSpec
    from siakgate.store.documents import write_atomically

__all__ = ["add_parser", "backend_spec", "cmd_sign", "write_atomically"]

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
BACKEND_KINDS = ("pkcs12", "pkcs11", "remote-hash", "esign-v1", "esign-v2")
"""``--backend``'s choices: :data:`siakgate.signing.factory.BACKEND_KINDS`, spelled out here so that building the
parser (``siakgate --help``) does not import the signing engine; a test keeps the two equal."""
_REGION = re.compile(r"[0-9]{4,10}")

_OPTIONS = {
    "pkcs12_path": "--p12",
    "pkcs11_lib": "--pkcs11-lib",
    "pkcs11_token": "--token",
    "pkcs11_key_label": "--key-label",
    "csc_credential_id": "--credential-id",
    "esign_nik": "--nik",
}
"""The option that gives each field of a :class:`BackendSpec`."""


def backend_spec(args: argparse.Namespace, settings: Settings) -> BackendSpec:
    """The backend the options describe (``--p12`` defaults to the settings' key file); refused if incomplete.

    With ``--region`` the key is bound to the settings' regencies (``signing.regencies``).
    """
    from siakgate.signing.factory import BackendSpec

    regencies: tuple[str, ...] = ()
    if args.region is not None:
        regencies = tuple(settings.signing.regencies)
        if not regencies:
            raise UsageProblem("--region memerlukan wilayah kewenangan: isi SIAKGATE_SIGNING__REGENCIES")
    spec = BackendSpec(
        args.backend,
        pkcs12_path=args.p12 or settings.signing.pkcs12_path,
        pkcs11_lib=args.pkcs11_lib,
        pkcs11_token=args.token,
        pkcs11_key_label=args.key_label,
        csc_credential_id=args.credential_id,
        esign_nik=args.nik,
        regencies=regencies,
    )
    missing = spec.missing()
    if missing:
        raise UsageProblem(f"backend {spec.kind} memerlukan {', '.join(_OPTIONS[name] for name in missing)}")
    return spec


def _credential(args: argparse.Namespace) -> Credential | None:
    from siakgate.signing.api import Credential

    make = Credential.otp if args.otp else Credential.passphrase
    if args.passphrase_env:
        value = os.environ.get(args.passphrase_env)
        if value is None:
            raise UsageProblem(f"variabel lingkungan {args.passphrase_env} tidak diisi")
        return make(value)
    if not sys.stdin.isatty():
        raise UsageProblem(
            "passphrase tidak dapat ditanyakan (tidak ada terminal); gunakan --passphrase-env NAMA_VARIABEL"
        )
    return make(getpass.getpass("OTP: " if args.otp else "Passphrase/PIN: "))


def _check_pdf(pdf: bytes, name: str) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in pdf[:1024]:
        raise UsageProblem(f"{name}: berkas ini bukan PDF")
    try:
        PdfFileReader(BytesIO(pdf), strict=False).root  # noqa: B018 - parse the trailer and catalogue
    except Exception as exc:
        raise UsageProblem(f"{name}: PDF tidak dapat dibaca ({type(exc).__name__})") from exc


async def _sign(
    args: argparse.Namespace, spec: BackendSpec, pdf: bytes, credential: Credential | None, settings: Settings
) -> bytes:
    import httpx

    from siakgate.signing.api import PadesLevel, SigningOptions, SignRequest, TteBlock
    from siakgate.signing.factory import BsreAccess, build_backend

    tte = TteBlock(args.verify_url, args.signer_name, args.signer_nip) if args.verify_url else None
    options = SigningOptions(
        level=PadesLevel(args.level or settings.signing.level),
        timestamp_url=args.tsa or settings.signing.tsa_url,
        trust_roots=tuple(trust_roots(args.trust_root)),
        allow_fetching=not args.no_fetch,
    )
    bsre = settings.bsre
    async with httpx.AsyncClient(timeout=bsre.timeout_seconds) as http:
        access = BsreAccess(http, bsre.url, bsre.username, bsre.password.get_secret_value())
        backend = build_backend(spec, bsre=access)
        request = SignRequest(args.input.name, pdf, tte=tte, region_code=args.region)
        (result,) = await backend.sign_batch([request], credential, options)
    if result.error is not None:
        raise result.error
    assert result.signed_pdf is not None
    return result.signed_pdf


def cmd_sign(args: argparse.Namespace, clock: Clock) -> int:
    from siakgate.store.documents import write_atomically
    from siakgate.verify.engine import run_sync

    if args.verify_url and not (args.signer_name and args.signer_nip):
        raise UsageProblem("--verify-url memerlukan --signer-name dan --signer-nip (blok TTE)")
    if args.region is not None and not _REGION.fullmatch(args.region):
        raise UsageProblem("--region adalah kode wilayah 4 sampai 10 digit (mis. 3508 atau 3508101003)")
    settings = load_settings()
    pdf = read_input(args.input)
    _check_pdf(pdf, args.input.name)
    if not args.output.parent.is_dir():
        raise UsageProblem(f"folder tujuan tidak ada: {args.output.parent}")
    spec = backend_spec(args, settings)
    credential = _credential(args)
    try:
        signed = run_sync(_sign(args, spec, pdf, credential, settings))
    except SiakgateError as exc:
        error(f"penandatanganan gagal: {exc.message} [{exc.code}]")
        return EXIT_INVALID
    finally:
        if credential is not None:
            credential.wipe()
    write_atomically(args.output, signed)
    print(f"Dokumen ditandatangani: {args.output}")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Append ``sign`` to the ``siakgate`` command's subparsers."""
    sign = sub.add_parser("sign", help="tanda tangani sebuah PDF (PAdES)", allow_abbrev=False)
    sign.add_argument("input", type=Path)
    sign.add_argument("-o", "--output", type=Path, required=True)
    sign.add_argument("--backend", choices=BACKEND_KINDS, default="pkcs12")
    sign.add_argument("--level", choices=LEVELS, default=None, help="default: konfigurasi (B-LT)")
    sign.add_argument("--p12", type=Path)
    sign.add_argument("--pkcs11-lib", type=Path)
    sign.add_argument("--token")
    sign.add_argument("--key-label")
    sign.add_argument("--credential-id", help="remote-hash: credential id CSC")
    sign.add_argument("--nik", help="esign-v1/v2: NIK penandatangan")
    sign.add_argument(
        "--region",
        metavar="KODE",
        help="kode wilayah KK (mis. 3508101003): ditolak bila di luar SIAKGATE_SIGNING__REGENCIES",
    )
    sign.add_argument("--verify-url", help="blok TTE terlihat: alamat yang dibuka kode QR")
    sign.add_argument("--signer-name")
    sign.add_argument("--signer-nip")
    sign.add_argument("--tsa", help="URL TSA RFC 3161 (B-T ke atas)")
    sign.add_argument("--trust-root", type=Path, action="append", metavar="PEM")
    sign.add_argument("--no-fetch", action="store_true")
    sign.add_argument("--passphrase-env", metavar="VAR", help="NAMA variabel lingkungan yang berisi passphrase/PIN/OTP")
    sign.add_argument("--otp", action="store_true", help="rahasia yang diminta adalah OTP (esign-v2)")
    sign.set_defaults(handler=cmd_sign, reads_pdfs=True)


def __getattr__(name: str) -> Any:
    # Re-exported lazily (see siakgate.cli): siakgate.store pulls in SQLAlchemy.
    if name == "write_atomically":
        from siakgate.store.documents import write_atomically

        return write_atomically
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
