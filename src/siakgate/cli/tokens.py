"""``siakgate tokens add NAME --role ROLE [--role ROLE2] [--region PREFIX]``, ``tokens list``, ``tokens revoke NAME``.

``add`` prints the new API token once, on stdout (only its hash is stored); a refusal (an unknown role,
a name already taken) is exit 2 with its message.
"""

from __future__ import annotations

import argparse
from typing import Any

from siakgate.cli._common import EXIT_OK, error, open_state
from siakgate.clock import Clock

__all__ = ["add_parser", "cmd_tokens"]


def cmd_tokens(args: argparse.Namespace, clock: Clock) -> int:
    import asyncio

    from siakgate.api import tokens

    with open_state(clock) as (_, db, clock):
        if args.tokens_command == "add":
            token = asyncio.run(tokens.add_token(db, args.name, args.role, args.region or "", now=clock.now()))
            print(token)
            error(f"token {args.name!r} dibuat; simpan sekarang, token ini tidak akan ditampilkan lagi")
        elif args.tokens_command == "list":
            for info in asyncio.run(tokens.list_tokens(db)):
                revoked = f"dicabut {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "aktif"
                region = info.region_prefix or "semua wilayah"
                print(f"{info.name}\t{','.join(info.roles)}\t{region}\t{revoked}")
        else:
            asyncio.run(tokens.revoke_token(db, args.name, now=clock.now()))
            print(f"Token {args.name!r} dicabut.")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Append ``tokens`` to the ``siakgate`` command's subparsers."""
    tokens = sub.add_parser("tokens", help="kelola token API sistem pemanggil", allow_abbrev=False)
    tokens_sub = tokens.add_subparsers(
        dest="tokens_command", required=True, metavar="TINDAKAN", help="add, list atau revoke"
    )
    add = tokens_sub.add_parser("add", help="buat token (ditampilkan sekali)", allow_abbrev=False)
    add.add_argument("name", metavar="NAMA", help="nama sistem pemanggil, mis. siak-loket")
    add.add_argument(
        "--role", action="append", required=True, metavar="PERAN", help="peran (boleh berulang), mis. PETUGAS_LOKET"
    )
    add.add_argument("--region", metavar="WILAYAH", help="awalan kode wilayah (2, 4, 6 atau 10 digit)")
    tokens_sub.add_parser("list", help="daftar token (tanpa rahasianya)")
    revoke = tokens_sub.add_parser("revoke", help="cabut token")
    revoke.add_argument("name", metavar="NAMA", help="nama token yang dicabut")
    tokens.set_defaults(handler=cmd_tokens)
