"""``siakgate audit verify [--json]`` (exit 0 intact, 1 broken, 2 cannot run) and ``siakgate audit list``.

``verify`` prints the same report as ``GET /v1/audit/verify`` (``--json``) or its message in Bahasa
Indonesia; ``list`` prints one JSON object per entry.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from siakgate.cli._common import EXIT_INVALID, EXIT_OK, open_state, whole_number
from siakgate.clock import Clock

__all__ = ["add_parser", "cmd_audit"]


def cmd_audit(args: argparse.Namespace, clock: Clock) -> int:
    from siakgate.audit.verify import entries_of, verify_chain

    with open_state(clock) as (_, db, _), db.unit_of_work(read_only=True) as session:
        if args.audit_command == "list":
            for row in entries_of(session, subject=args.subject, after_seq=args.after, limit=args.limit):
                print(json.dumps(row.__dict__, ensure_ascii=False, sort_keys=True))
            return EXIT_OK
        report = verify_chain(session)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.message)
        if report.intact:
            print(f"Hash terakhir (seq {report.head_seq}): {report.head_hash}")
    return EXIT_OK if report.intact else EXIT_INVALID


def add_parser(sub: Any) -> None:
    """Append ``audit`` to the ``siakgate`` command's subparsers."""
    audit = sub.add_parser("audit", help="log audit: periksa keutuhan rantai hash, tampilkan entri", allow_abbrev=False)
    commands = audit.add_subparsers(dest="audit_command", required=True, metavar="TINDAKAN", help="verify atau list")
    verify = commands.add_parser("verify", help="periksa rantai hash (0 utuh, 1 rusak)")
    verify.add_argument("--json", action="store_true", help="laporan JSON")
    listing = commands.add_parser("list", help="entri audit (JSON per baris)")
    listing.add_argument("--subject", metavar="ID", help="id subjek, mis. id permohonan")
    listing.add_argument("--after", type=whole_number, default=0, metavar="SEQ", help="mulai setelah seq ini")
    listing.add_argument(
        "--limit", type=whole_number, default=100, metavar="JUMLAH", help="paling banyak sekian entri (bawaan: 100)"
    )
    audit.set_defaults(handler=cmd_audit)
