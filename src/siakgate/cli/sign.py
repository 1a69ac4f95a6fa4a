"""``siakgate sign IN.pdf -o OUT.pdf`` / ``siakgate sign A.pdf B.pdf ... --out-dir DIR``: sign PDFs (PAdES).

Signs as the gateway would.

The backend is described by the options (a :class:`~siakgate.signing.factory.BackendSpec`) and built by
the same factory the gateway uses. Exit codes: 0 signed, 1 signing refused (wrong passphrase, revoked
certificate, ...), 2 the input is not a readable PDF or the command itself is wrong. Nothing is written
at ``OUT.pdf`` unless signing succeeded, and then the whole file at once (:func:`write_atomically`).

Several files (``--out-dir``): the passphrase is asked once, each file is signed in turn with a progress
bar on stderr, and a summary table closes the run (:mod:`siakgate.cli._batch`); the exit code is the worst
file's (1 any refused, else 2 any unreadable). A refusal about the key (wrong passphrase, certificate not in
force) stops the run. Ctrl-C stops cleanly: what was signed stays, the table says so, exit 130. Ctrl-D at the
passphrase prompt: ``Dibatalkan: passphrase tidak dimasukkan.``, exit 2.

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
import os
import re
import sys
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siakgate.cli._batch import Batch, Outcome
from siakgate.cli._common import (
    EXIT_CANCELLED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNUSABLE,
    UsageProblem,
    ask_secret,
    error,
    load_settings,
    read_input,
    trust_roots,
)
from siakgate.clock import Clock
from siakgate.errors import SiakgateError

if TYPE_CHECKING:
    from siakgate.config import Settings
    from siakgate.signing.api import Credential, SigningOptions, TteBlock
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
    if args.otp:
        return make(ask_secret("OTP: ", "OTP"))
    return make(ask_secret("Passphrase/PIN: ", "passphrase"))


def _check_pdf(pdf: bytes, name: str) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in pdf[:1024]:
        raise UsageProblem(f"{name}: berkas ini bukan PDF")
    try:
        PdfFileReader(BytesIO(pdf), strict=False).root  # noqa: B018 - parse the trailer and catalogue
    except Exception as exc:
        raise UsageProblem(f"{name}: PDF tidak dapat dibaca ({type(exc).__name__})") from exc


def _options(args: argparse.Namespace, settings: Settings) -> tuple[SigningOptions, TteBlock | None]:
    from siakgate.signing.api import PadesLevel, SigningOptions, TteBlock

    tte = TteBlock(args.verify_url, args.signer_name, args.signer_nip) if args.verify_url else None
    options = SigningOptions(
        level=PadesLevel(args.level or settings.signing.level),
        timestamp_url=args.tsa or settings.signing.tsa_url,
        trust_roots=tuple(trust_roots(args.trust_root)),
        allow_fetching=not args.no_fetch,
    )
    return options, tte


async def _sign(
    args: argparse.Namespace, spec: BackendSpec, pdf: bytes, credential: Credential | None, settings: Settings
) -> bytes:
    import httpx

    from siakgate.signing.api import SignRequest
    from siakgate.signing.factory import BsreAccess, build_backend

    options, tte = _options(args, settings)
    bsre = settings.bsre
    async with httpx.AsyncClient(timeout=bsre.timeout_seconds) as http:
        access = BsreAccess(http, bsre.url, bsre.username, bsre.password.get_secret_value())
        backend = build_backend(spec, bsre=access)
        request = SignRequest(args.input[0].name, pdf, tte=tte, region_code=args.region)
        (result,) = await backend.sign_batch([request], credential, options)
    if result.error is not None:
        raise result.error
    assert result.signed_pdf is not None
    return result.signed_pdf


def cmd_sign(args: argparse.Namespace, clock: Clock) -> int:
    from siakgate.store.documents import write_atomically
    from siakgate.verify.engine import run_sync

    inputs: list[Path] = args.input
    if args.verify_url and not (args.signer_name and args.signer_nip):
        raise UsageProblem("--verify-url memerlukan --signer-name dan --signer-nip (blok TTE)")
    if args.region is not None and not _REGION.fullmatch(args.region):
        raise UsageProblem("--region adalah kode wilayah 4 sampai 10 digit (mis. 3508 atau 3508101003)")
    if args.output is None and args.out_dir is None:
        raise UsageProblem("sebutkan tujuannya: -o HASIL.pdf (satu berkas) atau --out-dir FOLDER")
    if args.output is not None and len(inputs) > 1:
        raise UsageProblem("-o hanya untuk satu berkas; untuk beberapa berkas gunakan --out-dir FOLDER")
    settings = load_settings()
    if len(inputs) > 1:
        return _sign_many(args, settings)
    output: Path = args.output or _targets(inputs, args.out_dir)[inputs[0]]
    pdf = read_input(inputs[0])
    _check_pdf(pdf, inputs[0].name)
    if not output.parent.is_dir():
        raise UsageProblem(f"folder tujuan tidak ada: {output.parent}")
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
    write_atomically(output, signed)
    print(f"Dokumen ditandatangani: {output}")
    return EXIT_OK


def _targets(inputs: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Each input's signed copy, ``out_dir / NAME``; refused if two would collide or one would overwrite its input."""
    if not out_dir.is_dir():
        raise UsageProblem(f"folder tujuan tidak ada: {out_dir}")
    targets: dict[Path, Path] = {}
    for path in inputs:
        target = out_dir / path.name
        if target in targets.values():
            raise UsageProblem(f"dua berkas bernama {path.name}: hasilnya akan saling menimpa di {out_dir}")
        if target.resolve() == path.resolve():
            raise UsageProblem(f"{path}: hasil akan menimpa berkas aslinya; pilih --out-dir yang lain")
        targets[path] = target
    return targets


def _sign_many(args: argparse.Namespace, settings: Settings) -> int:
    """Sign every input into ``--out-dir``: one passphrase, one backend; progress, then the summary table.

    A file that is not a readable PDF is skipped (exit 2 unless worse); a refusal that concerns the key,
    not the document (wrong passphrase, a certificate not in force), stops the run: the rest would be
    refused the same way, and a signing service locks a key after a few wrong passphrases.
    """
    from siakgate.verify.engine import run_sync

    targets = _targets(args.input, args.out_dir)
    spec = backend_spec(args, settings)
    options, tte = _options(args, settings)  # the trust roots are read before the passphrase is asked
    credential = _credential(args)
    with Batch(len(targets), "Menandatangani", "Ringkasan penandatanganan") as batch:
        try:
            run_sync(_sign_files(args, spec, credential, settings, (options, tte), targets, batch))
        except KeyboardInterrupt:
            interrupted = True
        else:
            interrupted = False
        finally:
            if credential is not None:
                credential.wipe()
    batch.summary(interrupted=interrupted)
    return EXIT_CANCELLED if interrupted else batch.exit_code()


async def _sign_files(
    args: argparse.Namespace,
    spec: BackendSpec,
    credential: Credential | None,
    settings: Settings,
    how: tuple[SigningOptions, TteBlock | None],
    targets: dict[Path, Path],
    batch: Batch,
) -> None:
    import httpx

    from siakgate.errors import (
        BsreAuthError,
        CertificateInvalidError,
        CertificateStatusError,
        SignerNotRegisteredError,
        SigningConfigError,
        WrongPassphraseError,
    )
    from siakgate.signing.api import SignRequest
    from siakgate.signing.factory import BsreAccess, build_backend
    from siakgate.store.documents import write_atomically

    key_wide = (
        WrongPassphraseError,
        CertificateStatusError,
        SignerNotRegisteredError,
        BsreAuthError,
        SigningConfigError,
        CertificateInvalidError,
    )
    options, tte = how

    def readable(path: Path) -> bytes | None:
        batch.started(path)
        try:
            pdf = read_input(path)
            _check_pdf(pdf, path.name)
        except UsageProblem as exc:
            error(str(exc))
            batch.record(Outcome(path, "tidak dapat dibaca", str(exc), EXIT_UNUSABLE))
            return None
        return pdf

    # An OTP is good for one authorisation: with --otp every readable file goes in one batch.
    chunks: list[list[Path]] = [[path] for path in targets] if not args.otp else [list(targets)]
    bsre = settings.bsre
    async with httpx.AsyncClient(timeout=bsre.timeout_seconds) as http:
        access = BsreAccess(http, bsre.url, bsre.username, bsre.password.get_secret_value())
        backend = build_backend(spec, bsre=access)
        for number, chunk in enumerate(chunks):
            pdfs = {path: pdf for path in chunk if (pdf := readable(path)) is not None}
            if not pdfs:
                continue
            requests = [SignRequest(path.name, pdf, tte=tte, region_code=args.region) for path, pdf in pdfs.items()]
            try:
                results = await backend.sign_batch(requests, credential, options)
                errors = [result.error for result in results]
            except SiakgateError as exc:
                results, errors = [], [exc] * len(pdfs)
            stop: SiakgateError | None = None
            for index, (path, problem) in enumerate(zip(pdfs, errors, strict=True)):
                if problem is None:
                    signed = results[index].signed_pdf
                    assert signed is not None
                    write_atomically(targets[path], signed)
                    print(f"Dokumen ditandatangani: {targets[path]}", flush=True)
                    batch.record(Outcome(path, "ditandatangani", f"PAdES {options.level} → {targets[path]}", EXIT_OK))
                    continue
                error(f"{path.name}: penandatanganan gagal: {problem.message} [{problem.code}]")
                batch.record(Outcome(path, "gagal", f"{problem.message} [{problem.code}]", EXIT_INVALID))
                if isinstance(problem, key_wide):
                    stop = problem
            if stop is not None:
                rest = [path for later in chunks[number + 1 :] for path in later]
                if rest:
                    error(f"penandatanganan dihentikan ({stop.code}): {len(rest)} berkas lain tidak diproses")
                for path in rest:
                    batch.record(Outcome(path, "tidak diproses", f"dihentikan: {stop.code}", EXIT_INVALID))
                return


def add_parser(sub: Any) -> None:
    """Append ``sign`` to the ``siakgate`` command's subparsers."""
    sign = sub.add_parser("sign", help="tanda tangani satu PDF atau lebih (PAdES)", allow_abbrev=False)
    sign.add_argument("input", type=Path, nargs="+", metavar="PDF", help="PDF yang ditandatangani (satu atau lebih)")
    target = sign.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", type=Path, metavar="HASIL.pdf", help="berkas hasil (hanya untuk satu PDF)")
    target.add_argument(
        "--out-dir",
        type=Path,
        metavar="FOLDER",
        help="folder hasil untuk satu PDF atau lebih; nama berkasnya tetap (folder harus sudah ada)",
    )
    sign.add_argument(
        "--backend",
        choices=BACKEND_KINDS,
        metavar="JENIS",
        default="pkcs12",
        help="cara menandatangani: pkcs12 (bawaan, berkas .p12), pkcs11, remote-hash, esign-v1, esign-v2",
    )
    sign.add_argument(
        "--level",
        choices=LEVELS,
        default=None,
        metavar="LEVEL",
        help="level PAdES: B-B, B-T, B-LT atau B-LTA (bawaan: dari konfigurasi, B-LT)",
    )
    sign.add_argument(
        "--p12", type=Path, metavar="BERKAS", help="pkcs12: berkas kunci .p12 (bawaan: SIAKGATE_SIGNING__PKCS12_PATH)"
    )
    sign.add_argument("--pkcs11-lib", type=Path, metavar="BERKAS", help="pkcs11: pustaka modul PKCS#11 (.so)")
    sign.add_argument("--token", metavar="LABEL", help="pkcs11: label token (kartu/USB) yang berisi kunci")
    sign.add_argument("--key-label", metavar="LABEL", help="pkcs11: label kunci privat di token")
    sign.add_argument("--credential-id", metavar="ID", help="remote-hash: credential id CSC")
    sign.add_argument("--nik", help="esign-v1/v2: NIK penandatangan")
    sign.add_argument(
        "--region",
        metavar="KODE",
        help="kode wilayah KK (mis. 3508101003): ditolak bila di luar SIAKGATE_SIGNING__REGENCIES",
    )
    sign.add_argument("--verify-url", metavar="URL", help="blok TTE terlihat: alamat yang dibuka kode QR")
    sign.add_argument("--signer-name", metavar="NAMA", help="blok TTE: nama penanda tangan (wajib dengan --verify-url)")
    sign.add_argument("--signer-nip", metavar="NIP", help="blok TTE: NIP penanda tangan (wajib dengan --verify-url)")
    sign.add_argument("--tsa", metavar="URL", help="URL TSA RFC 3161 (B-T ke atas)")
    sign.add_argument(
        "--trust-root",
        type=Path,
        action="append",
        metavar="PEM",
        help="sertifikat akar terpercaya untuk B-LT (boleh berulang; bawaan: dari konfigurasi)",
    )
    sign.add_argument(
        "--no-fetch", action="store_true", help="jangan ambil OCSP/CRL dari jaringan untuk data validasi (B-LT)"
    )
    sign.add_argument("--passphrase-env", metavar="VAR", help="NAMA variabel lingkungan yang berisi passphrase/PIN/OTP")
    sign.add_argument("--otp", action="store_true", help="rahasia yang diminta adalah OTP (esign-v2)")
    sign.set_defaults(handler=cmd_sign, reads_pdfs=True)


def __getattr__(name: str) -> Any:
    # Re-exported lazily (see siakgate.cli): siakgate.store pulls in SQLAlchemy.
    if name == "write_atomically":
        from siakgate.store.documents import write_atomically

        return write_atomically
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
