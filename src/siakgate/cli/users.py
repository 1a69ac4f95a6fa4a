"""``siakgate users add|list|disable|password``: the officers' accounts of the signing workstation (``/ws/``).

The password is never a command-line argument (``ps`` and shell history would show it): it is asked
twice on the terminal (getpass), or read from the environment variable *named* by ``--password-env``
(for scripts such as ``make run``). A refusal (a short password, a name taken) is exit 2 with its message.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from siakgate.cli._common import EXIT_OK, UsageProblem, ask_secret, open_state
from siakgate.clock import Clock

__all__ = ["add_parser", "cmd_users"]


def _password(args: argparse.Namespace) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            raise UsageProblem(f"variabel lingkungan {args.password_env} kosong atau tidak ada")
        return value
    if not sys.stdin.isatty():
        raise UsageProblem("kata sandi diminta lewat terminal; tanpa terminal pakai --password-env NAMA_VARIABEL")
    first = ask_secret("Kata sandi: ", "kata sandi")
    if ask_secret("Ulangi kata sandi: ", "kata sandi") != first:
        raise UsageProblem("kedua kata sandi tidak sama")
    return first


def cmd_users(args: argparse.Namespace, clock: Clock) -> int:
    import asyncio

    from siakgate.web import accounts
    from siakgate.web.config import WebConfig

    with open_state(clock) as (_, db, clock):
        if args.users_command == "add":
            password = _password(args)
            asyncio.run(
                accounts.add_user(
                    db,
                    args.username,
                    password,
                    args.role,
                    region_prefix=args.region or "",
                    full_name=args.name or "",
                    config=WebConfig(clock=clock),
                )
            )
            print(f"Akun {args.username.strip().lower()!r} dibuat.")
        elif args.users_command == "password":
            password = _password(args)
            asyncio.run(accounts.set_password(db, args.username, password))
            print(f"Kata sandi akun {args.username.strip().lower()!r} diganti; akun aktif dan sesinya diakhiri.")
        elif args.users_command == "list":
            for info in asyncio.run(accounts.list_users(db)):
                state = "aktif" if info.active else "nonaktif"
                region = info.region_prefix or "semua wilayah"
                print(f"{info.username}\t{info.full_name}\t{','.join(info.roles)}\t{region}\t{state}")
        else:
            asyncio.run(accounts.disable_user(db, args.username))
            print(f"Akun {args.username.strip().lower()!r} dinonaktifkan; sesinya diakhiri.")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Append ``users`` to the ``siakgate`` command's subparsers."""
    users = sub.add_parser("users", help="kelola akun petugas meja kerja TTE (/ws/)", allow_abbrev=False)
    users_sub = users.add_subparsers(
        dest="users_command", required=True, metavar="TINDAKAN", help="add, list atau disable"
    )
    add = users_sub.add_parser("add", help="buat akun (kata sandi ditanya di terminal)", allow_abbrev=False)
    add.add_argument("username", metavar="NAMA_PENGGUNA", help="nama untuk masuk ke meja kerja, mis. kasi.lumajang")
    add.add_argument(
        "--role", action="append", required=True, metavar="PERAN", help="peran (boleh berulang), mis. KASI"
    )
    add.add_argument("--region", metavar="WILAYAH", help="awalan kode wilayah (2, 4, 6 atau 10 digit)")
    add.add_argument("--name", metavar="NAMA", help="nama lengkap yang ditampilkan")
    add.add_argument("--password-env", metavar="VAR", help="NAMA variabel lingkungan yang berisi kata sandi")
    password = users_sub.add_parser(
        "password",
        help="ganti kata sandi akun (juga membuka kunci dan mengaktifkan kembali; kata sandi ditanya di terminal)",
        allow_abbrev=False,
    )
    password.add_argument("username", metavar="NAMA_PENGGUNA", help="akun yang kata sandinya diganti")
    password.add_argument("--password-env", metavar="VAR", help="NAMA variabel lingkungan yang berisi kata sandi baru")
    users_sub.add_parser("list", help="daftar akun (tanpa kata sandi)")
    disable = users_sub.add_parser("disable", help="nonaktifkan akun dan akhiri sesinya")
    disable.add_argument("username", metavar="NAMA_PENGGUNA", help="akun yang dinonaktifkan")
    users.set_defaults(handler=cmd_users)
