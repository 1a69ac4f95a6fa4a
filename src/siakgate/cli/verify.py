"""``siakgate verify FILE.pdf [--json] [--trust-root PEM ...] [--no-fetch] [--at WAKTU]``.

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
    from siakgate.verify import Indication, verify_pdf
    from siakgate.verify.engine import run_sync

    pdf = read_input(args.file)
    roots = trust_roots(args.trust_root)
    try:
        report = run_sync(
            verify_pdf(
                pdf,
                trust_roots=roots,
                allow_fetching=not args.no_fetch,
                document_name=args.file.name,
                clock=clock,
                at=args.at,
            )
        )
    except VerificationError as exc:
        error(f"{args.file.name}: {exc.message}")
        return EXIT_UNUSABLE
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.summary_id())
    if report.valid:
        return EXIT_OK
    return EXIT_TRY_LATER if report.indication is Indication.INDETERMINATE else EXIT_INVALID


def add_parser(sub: Any) -> None:
    """Append ``verify`` to the ``siakgate`` command's subparsers."""
    verify = sub.add_parser("verify", help="verifikasi tanda tangan elektronik sebuah PDF", allow_abbrev=False)
    verify.add_argument("file", type=Path)
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
    verify.set_defaults(handler=cmd_verify)
