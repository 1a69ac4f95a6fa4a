"""``siakgate verify FILE.pdf [--json] [--trust-root PEM ...] [--no-fetch]``.

Exit codes: 0 every signature valid, 1 not valid (tampered, untrusted, revoked, ...), 2 the file is not
a readable signed PDF. stdout carries the summary (or the ``--json`` report), nothing else.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from siakgate.cli._common import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, error, read_input, trust_roots
from siakgate.clock import Clock
from siakgate.errors import VerificationError

__all__ = ["add_parser", "cmd_verify"]


def cmd_verify(args: argparse.Namespace, clock: Clock) -> int:
    from siakgate.verify import verify_pdf
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
                at=clock.now(),
            )
        )
    except VerificationError as exc:
        error(f"{args.file.name}: {exc.message}")
        return EXIT_UNUSABLE
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.summary_id())
    return EXIT_OK if report.valid else EXIT_INVALID


def add_parser(sub: Any) -> None:
    """Append ``verify`` to the ``siakgate`` command's subparsers."""
    verify = sub.add_parser("verify", help="verifikasi tanda tangan elektronik sebuah PDF", allow_abbrev=False)
    verify.add_argument("file", type=Path)
    verify.add_argument("--json", action="store_true", help="laporan lengkap JSON (dengan 'valid' di atas)")
    verify.add_argument(
        "--trust-root", type=Path, action="append", metavar="PEM", help="akar terpercaya (boleh berulang)"
    )
    verify.add_argument("--no-fetch", action="store_true", help="jangan ambil OCSP/CRL dari jaringan")
    verify.set_defaults(handler=cmd_verify)
