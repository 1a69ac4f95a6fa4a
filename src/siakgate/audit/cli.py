"""``siakgate audit verify`` (exit 0 intact, 1 broken, 2 cannot run) and ``siakgate audit list``.

Messages for people are in Bahasa Indonesia on stderr (verify) or stdout (the result); ``--json`` prints
the same report as ``GET /v1/audit/verify``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_parser"]

EXIT_OK, EXIT_BROKEN, EXIT_UNUSABLE = 0, 1, 2


def _open_database() -> Any:
    from pydantic import ValidationError

    from siakgate.config import Settings
    from siakgate.store.db import Database

    try:
        settings = Settings()
    except ValidationError as exc:
        raise SystemExit(_fail(f"konfigurasi SIAKGATE_* tidak valid: {exc.errors()[0]['msg']}")) from exc
    db = Database.create(settings.database_url)
    db.migrate()
    return db


def _fail(message: str) -> int:
    print(f"siakgate: {message}", file=sys.stderr)
    return EXIT_UNUSABLE


def cmd_audit(args: argparse.Namespace) -> int:
    from siakgate.audit import entries_of, verify_chain
    from siakgate.errors import SiakgateError

    db = _open_database()
    try:
        with db.unit_of_work(read_only=True) as session:
            if args.audit_command == "verify":
                report = verify_chain(session)
            else:
                rows = entries_of(session, subject=args.subject, after_seq=args.after, limit=args.limit)
    except SiakgateError as exc:
        return _fail(exc.message)
    finally:
        db.dispose()
    if args.audit_command == "list":
        for row in rows:
            print(json.dumps(row.__dict__, ensure_ascii=False, sort_keys=True))
        return EXIT_OK
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.message)
        if report.intact:
            print(f"Hash terakhir (seq {report.head_seq}): {report.head_hash}")
    return EXIT_OK if report.intact else EXIT_BROKEN


def add_parser(sub: Any) -> None:
    """Append ``audit`` to the ``siakgate`` command's subparsers."""
    audit = sub.add_parser("audit", help="log audit: periksa keutuhan rantai hash, tampilkan entri", allow_abbrev=False)
    commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = commands.add_parser("verify", help="periksa rantai hash (0 utuh, 1 rusak)")
    verify.add_argument("--json", action="store_true", help="laporan JSON")
    listing = commands.add_parser("list", help="entri audit (JSON per baris)")
    listing.add_argument("--subject", help="id subjek, mis. id permohonan")
    listing.add_argument("--after", type=int, default=0, help="mulai setelah seq ini")
    listing.add_argument("--limit", type=int, default=100)
    audit.set_defaults(handler=cmd_audit)
