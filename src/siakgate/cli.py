"""The ``siakgate`` command: ``verify FILE.pdf``, ``sign IN.pdf -o OUT.pdf``, ``serve``, ``tokens``, ``demo``.

``serve`` runs the gateway (uvicorn, 127.0.0.1:8000 by default; settings from ``SIAKGATE_*``).
``tokens add NAME --role ROLE [--role ROLE2] [--region PREFIX]`` prints a new API token once;
``tokens list`` and ``tokens revoke NAME`` manage them. ``demo --out DIR`` drives one application per
service profile through a running gateway (:mod:`siakgate.demo`).

Exit codes (both commands): 0 valid / signed, 1 invalid / signing refused (wrong passphrase, revoked
certificate, ...), 2 the input is not a readable (signed) PDF, or the command itself is wrong.
Messages for people are in Bahasa Indonesia, on stderr; stdout carries only the result.

A passphrase, PIN or OTP is never a command-line argument (``ps`` would show it): it is asked on the
terminal (getpass), or read from the environment variable *named* by ``--passphrase-env``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siakgate.clock import Clock
from siakgate.errors import SiakgateError, VerificationError

if TYPE_CHECKING:
    from siakgate.config import Settings
    from siakgate.signing.api import Credential, SigningBackend
    from siakgate.store.db import Database

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
BACKENDS = ("pkcs12", "pkcs11", "remote-hash", "esign-v1", "esign-v2")
LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


class UsageProblem(Exception):
    """A problem with the command line or the files it names: exit 2 with this (Indonesian) message."""


def _error(message: str) -> None:
    print(f"siakgate: {message}", file=sys.stderr)


def _settings() -> Settings:
    from pydantic import ValidationError

    from siakgate.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise UsageProblem(f"konfigurasi SIAKGATE_* tidak valid: {exc.errors()[0]['msg']}") from exc


def _read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageProblem(f"berkas tidak ditemukan: {path}") from exc
    except OSError as exc:
        raise UsageProblem(f"berkas tidak dapat dibaca: {path} ({exc.strerror})") from exc


def _trust_roots(paths: Sequence[Path] | None) -> list[bytes]:
    from siakgate.verify import load_certificates

    if not paths:
        return _settings().trust_root_ders()
    roots = []
    for path in paths:
        try:
            roots += load_certificates(_read_input(path))
        except ValueError as exc:
            raise UsageProblem(f"akar terpercaya bukan sertifikat X.509: {path}") from exc
    return roots


def cmd_verify(args: argparse.Namespace) -> int:
    from siakgate.verify import verify_pdf_sync

    pdf = _read_input(args.file)
    roots = _trust_roots(args.trust_root)
    try:
        report = verify_pdf_sync(pdf, trust_roots=roots, allow_fetching=not args.no_fetch, document_name=args.file.name)
    except VerificationError as exc:
        _error(f"{args.file.name}: {exc.message}")
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.summary_id())
    return EXIT_OK if report.valid else EXIT_INVALID


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


def _require(args: argparse.Namespace, *names: str) -> None:
    missing = ["--" + name.replace("_", "-") for name in names if not getattr(args, name)]
    if missing:
        raise UsageProblem(f"backend {args.backend} memerlukan {', '.join(missing)}")


def _backend(args: argparse.Namespace, settings: Settings, http: Any) -> SigningBackend:
    """Build the chosen backend lazily: each lives in its own module, written alongside this CLI."""
    if args.backend == "pkcs12":
        from siakgate.signing.pkcs12 import Pkcs12Backend

        p12 = args.p12 or settings.signing.pkcs12_path
        if p12 is None:
            raise UsageProblem("backend pkcs12 memerlukan --p12")
        return Pkcs12Backend(p12)
    if args.backend == "pkcs11":
        from siakgate.signing import pkcs11

        _require(args, "pkcs11_lib", "token", "key_label")
        return pkcs11.Pkcs11Backend(args.pkcs11_lib, args.token, key_label=args.key_label)
    bsre = settings.bsre
    if args.backend == "remote-hash":
        from siakgate.bsre.csc import CscClient
        from siakgate.signing.remote_hash import RemoteHashBackend

        _require(args, "credential_id")
        csc = CscClient(http, bsre.url, bsre.username, bsre.password.get_secret_value())
        return RemoteHashBackend(csc, args.credential_id)
    from siakgate.bsre.client import BsreClient
    from siakgate.signing.esign import EsignBackend

    _require(args, "nik")
    client = BsreClient(http, bsre.url, bsre.username, bsre.password.get_secret_value())
    return EsignBackend(client, nik=args.nik, api="v2" if args.backend == "esign-v2" else "v1")


def _check_pdf(pdf: bytes, name: str) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in pdf[:1024]:
        raise UsageProblem(f"{name}: berkas ini bukan PDF")
    try:
        PdfFileReader(BytesIO(pdf), strict=False).root  # noqa: B018 - parse the trailer and catalogue
    except Exception as exc:
        raise UsageProblem(f"{name}: PDF tidak dapat dibaca ({type(exc).__name__})") from exc


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: never half a file at ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def _sign(args: argparse.Namespace, pdf: bytes, credential: Credential | None, settings: Settings) -> bytes:
    import httpx

    from siakgate.signing.api import PadesLevel, SigningOptions, SignRequest, TteBlock

    tte = TteBlock(args.verify_url, args.signer_name, args.signer_nip) if args.verify_url else None
    options = SigningOptions(
        level=PadesLevel(args.level or settings.signing.level),
        timestamp_url=args.tsa or settings.signing.tsa_url,
        trust_roots=tuple(_trust_roots(args.trust_root)),
        allow_fetching=not args.no_fetch,
    )
    async with httpx.AsyncClient(timeout=settings.bsre.timeout_seconds) as http:
        backend = _backend(args, settings, http)
        (result,) = await backend.sign_batch([SignRequest(args.input.name, pdf, tte=tte)], credential, options)
    if result.error is not None:
        raise result.error
    assert result.signed_pdf is not None
    return result.signed_pdf


def cmd_sign(args: argparse.Namespace) -> int:
    from siakgate.verify.engine import run_sync

    if args.verify_url and not (args.signer_name and args.signer_nip):
        raise UsageProblem("--verify-url memerlukan --signer-name dan --signer-nip (blok TTE)")
    settings = _settings()
    pdf = _read_input(args.input)
    _check_pdf(pdf, args.input.name)
    if not args.output.parent.is_dir():
        raise UsageProblem(f"folder tujuan tidak ada: {args.output.parent}")
    credential = _credential(args)
    try:
        signed = run_sync(_sign(args, pdf, credential, settings))
    except SiakgateError as exc:
        _error(f"penandatanganan gagal: {exc.message} [{exc.code}]")
        return EXIT_INVALID
    finally:
        if credential is not None:
            credential.wipe()
    write_atomically(args.output, signed)
    print(f"Dokumen ditandatangani: {args.output}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from siakgate.api import create_app
    from siakgate.api.logs import configure_logging
    from siakgate.workflow.profiles import load_profiles

    settings = _settings()
    try:
        # Refuse a nonsensical profile here, with its message, rather than as a lifespan traceback.
        load_profiles(settings.profiles_dir)
    except SiakgateError as exc:
        raise UsageProblem(f"profil layanan ditolak: {exc.message}") from exc
    configure_logging(args.log_level.upper())
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    return EXIT_OK


def _database(settings: Settings) -> Database:
    from siakgate.store.db import Database

    db = Database.create(settings.database_url)
    db.migrate()
    return db


def cmd_tokens(args: argparse.Namespace) -> int:
    import asyncio

    from siakgate.api import tokens

    settings = _settings()
    db = _database(settings)
    try:
        if args.tokens_command == "add":
            token = asyncio.run(tokens.add_token(db, args.name, args.role, args.region or "", now=Clock().now()))
            print(token)
            _error(f"token {args.name!r} dibuat; simpan sekarang, token ini tidak akan ditampilkan lagi")
        elif args.tokens_command == "list":
            for info in asyncio.run(tokens.list_tokens(db)):
                revoked = f"dicabut {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "aktif"
                region = info.region_prefix or "semua wilayah"
                print(f"{info.name}\t{','.join(info.roles)}\t{region}\t{revoked}")
        else:
            asyncio.run(tokens.revoke_token(db, args.name, now=Clock().now()))
            print(f"Token {args.name!r} dicabut.")
    except SiakgateError as exc:
        raise UsageProblem(exc.message) from exc
    finally:
        db.dispose()
    return EXIT_OK


def cmd_demo(argv: Sequence[str]) -> int:
    from siakgate.demo import main as demo_main

    code: int = demo_main(list(argv))
    return code


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: "--passphrase X" must not silently become "--passphrase-env X".
    parser = argparse.ArgumentParser(
        prog="siakgate", description="SIAK dan TTE: tanda tangani dan verifikasi KK.", allow_abbrev=False
    )
    sub = parser.add_subparsers(dest="command", required=True)

    verify = sub.add_parser("verify", help="verifikasi tanda tangan elektronik sebuah PDF", allow_abbrev=False)
    verify.add_argument("file", type=Path)
    verify.add_argument("--json", action="store_true", help="laporan lengkap JSON (dengan 'valid' di atas)")
    verify.add_argument(
        "--trust-root", type=Path, action="append", metavar="PEM", help="akar terpercaya (boleh berulang)"
    )
    verify.add_argument("--no-fetch", action="store_true", help="jangan ambil OCSP/CRL dari jaringan")
    verify.set_defaults(handler=cmd_verify)

    sign = sub.add_parser("sign", help="tanda tangani sebuah PDF (PAdES)", allow_abbrev=False)
    sign.add_argument("input", type=Path)
    sign.add_argument("-o", "--output", type=Path, required=True)
    sign.add_argument("--backend", choices=BACKENDS, default="pkcs12")
    sign.add_argument("--level", choices=LEVELS, default=None, help="default: konfigurasi (B-LT)")
    sign.add_argument("--p12", type=Path)
    sign.add_argument("--pkcs11-lib", type=Path)
    sign.add_argument("--token")
    sign.add_argument("--key-label")
    sign.add_argument("--credential-id", help="remote-hash: credential id CSC")
    sign.add_argument("--nik", help="esign-v1/v2: NIK penandatangan")
    sign.add_argument("--verify-url", help="blok TTE terlihat: alamat yang dibuka kode QR")
    sign.add_argument("--signer-name")
    sign.add_argument("--signer-nip")
    sign.add_argument("--tsa", help="URL TSA RFC 3161 (B-T ke atas)")
    sign.add_argument("--trust-root", type=Path, action="append", metavar="PEM")
    sign.add_argument("--no-fetch", action="store_true")
    sign.add_argument("--passphrase-env", metavar="VAR", help="NAMA variabel lingkungan yang berisi passphrase/PIN/OTP")
    sign.add_argument("--otp", action="store_true", help="rahasia yang diminta adalah OTP (esign-v2)")
    sign.set_defaults(handler=cmd_sign)

    serve = sub.add_parser("serve", help="jalankan gateway (REST API)", allow_abbrev=False)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    serve.set_defaults(handler=cmd_serve)

    tokens = sub.add_parser("tokens", help="kelola token API sistem pemanggil", allow_abbrev=False)
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    add = tokens_sub.add_parser("add", help="buat token (ditampilkan sekali)", allow_abbrev=False)
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, help="peran (boleh berulang), mis. PETUGAS_LOKET")
    add.add_argument("--region", help="awalan kode wilayah (2, 4, 6 atau 10 digit)")
    tokens_sub.add_parser("list", help="daftar token (tanpa rahasianya)")
    revoke = tokens_sub.add_parser("revoke", help="cabut token")
    revoke.add_argument("name")
    tokens.set_defaults(handler=cmd_tokens)

    from siakgate.reports.cli import add_report_parser

    add_report_parser(sub)

    sub.add_parser("demo", help="jalankan satu permohonan per profil layanan lewat HTTP (--out DIR)", add_help=False)
    from siakgate.archive.cli import add_parser as add_archive_parser
    from siakgate.audit.cli import add_parser as add_audit_parser

    add_audit_parser(sub)  # siakgate audit verify|list
    add_archive_parser(sub)  # siakgate archive verify|restore
    from siakgate.web.cli import add_parser as add_users_parser

    add_users_parser(sub)  # siakgate users add|list|disable (the signing workstation)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["demo"]:
        # The demo driver owns its options (siakgate.demo.main parses them).
        return cmd_demo(arguments[1:])
    args = build_parser().parse_args(arguments)
    # pyHanko logs every failed check with a traceback; the report already says what failed.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        code: int = args.handler(args)
    except UsageProblem as exc:
        _error(str(exc))
        return EXIT_UNREADABLE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
