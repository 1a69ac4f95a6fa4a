"""``siakgate verify FILE.pdf [FILE.pdf ...] [--json] [--trust-root PEM ...] [--no-fetch] [--at WAKTU]``.

Many files share one :class:`~siakgate.verify.Verifier`: the trust roots are read once and revocation
information is fetched once for the run, not once per file.

Exit codes: 0 every signature valid (now, or at signing time: a signature proven to exist while its
certificate was in force stays valid after the certificate expires), 1 not valid (tampered, untrusted,
signed after the expiry or the revocation, ...), 2 the file is not a readable signed PDF, 3 not decidable
now: revocation information could not be had (a responder out of reach, stale data in the document), try
again later. stdout carries the summary (or the ``--json`` report), nothing else.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from siakgate.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_TRY_LATER,
    EXIT_UNUSABLE,
    UsageProblem,
    error,
    read_input,
    trust_roots,
)
from siakgate.clock import WIB, Clock
from siakgate.errors import VerificationError

__all__ = ["add_parser", "cmd_verify"]


def _moment(text: str) -> datetime:
    """``--at``: an ISO 8601 date or time; without a zone it is WIB (the Dinas's), never the server's."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bukan waktu ISO 8601: {text!r}") from exc
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=WIB)


def cmd_verify(args: argparse.Namespace, clock: Clock) -> int:
    from siakgate.verify.engine import run_sync

    first = read_input(args.file[0])  # a missing file is said before a problem with the roots' settings
    roots = trust_roots(args.trust_root)
    return run_sync(_verify_files(args, first, roots, clock))


async def _verify_files(args: argparse.Namespace, first: bytes, roots: list[bytes], clock: Clock) -> int:
    """Every file in turn with one :class:`~siakgate.verify.Verifier` (roots parsed, revocation fetched once).

    One file: its summary (or its JSON report) and its exit code. Several: one line per file, ``NAME: summary``
    (``--json``: one report per line, with ``"file"``), and the exit code of the worst: 1 if any is not valid,
    else 2 if any could not be read, else 3 if any is not decidable now, else 0.
    """
    from siakgate.verify import Indication, Verifier

    files: list[Path] = args.file
    single = len(files) == 1
    codes: list[int] = []
    async with Verifier(trust_roots=roots, allow_fetching=not args.no_fetch, clock=clock, at=args.at) as verifier:
        for index, path in enumerate(files):
            try:
                pdf = first if index == 0 else read_input(path)
                report = await verifier.verify(pdf, document_name=path.name)
            except (UsageProblem, VerificationError) as exc:
                error(f"{path.name}: {exc.message if isinstance(exc, VerificationError) else exc}")
                codes.append(EXIT_UNUSABLE)
                continue
            if args.json:
                data = report.to_json()
                print(json.dumps(data, ensure_ascii=False, indent=2) if single else _line(path, data))
            else:
                print(report.summary_id() if single else f"{path}: {report.summary_id()}")
            if report.valid:
                codes.append(EXIT_OK)
            else:
                codes.append(EXIT_TRY_LATER if report.indication is Indication.INDETERMINATE else EXIT_INVALID)
    return _worst(codes)


def _line(path: Path, data: dict[str, Any]) -> str:
    return json.dumps({"file": str(path), **data}, ensure_ascii=False)


def _worst(codes: list[int]) -> int:
    for code in (EXIT_INVALID, EXIT_UNUSABLE, EXIT_TRY_LATER):
        if code in codes:
            return code
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Append ``verify`` to the ``siakgate`` command's subparsers."""
    verify = sub.add_parser("verify", help="verifikasi tanda tangan elektronik sebuah PDF", allow_abbrev=False)
    verify.add_argument("file", type=Path, nargs="+", help="satu PDF atau lebih (mis. *.pdf)")
    verify.add_argument("--json", action="store_true", help="laporan lengkap JSON (dengan 'valid' di atas)")
    verify.add_argument(
        "--trust-root", type=Path, action="append", metavar="PEM", help="akar terpercaya (boleh berulang)"
    )
    verify.add_argument("--no-fetch", action="store_true", help="jangan ambil OCSP/CRL dari jaringan")
    verify.add_argument(
        "--at",
        type=_moment,
        metavar="WAKTU",
        help="validasi pada waktu tertentu, ISO 8601 (tanpa zona: WIB); hanya data di dokumen yang dipakai",
    )
    verify.set_defaults(handler=cmd_verify, reads_pdfs=True)
