"""``siakgate demo --out DIR [--gateway URL] [--token T] ...``: the demo driver (:mod:`siakgate.demo`) as a command.

The demo owns its options: :func:`siakgate.cli.main` hands it everything after ``demo`` unparsed.
Exit codes: 0 done; 1 a flow did not complete; 2 the services are not reachable or the options are wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio

from siakgate.clock import Clock
from siakgate.demo import (
    DEFAULT_GATEWAY,
    DEFAULT_SIAK,
    DEMO_PASSPHRASE,
    DEMO_SEKCAM_PASSPHRASE,
    TOKEN_ENV,
    run_demo,
)
from siakgate.errors import DemoError, DemoUnavailableError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="siakgate demo", description="Demo: satu permohonan per profil layanan.")
    parser.add_argument("--out", type=Path, required=True, help="direktori hasil (PDF KK dan summary.json)")
    parser.add_argument("--gateway", default=DEFAULT_GATEWAY, help=f"URL gateway (bawaan {DEFAULT_GATEWAY})")
    parser.add_argument("--token", default=None, help=f"token API dengan semua peran (bawaan: ${TOKEN_ENV})")
    parser.add_argument("--siak-url", default=DEFAULT_SIAK, help=f"URL mock SIAK (bawaan {DEFAULT_SIAK})")
    parser.add_argument("--passphrase-env", default=None, help="variabel lingkungan berisi passphrase Kepala Dinas")
    parser.add_argument("--sekcam-passphrase-env", default=None, help="variabel lingkungan berisi passphrase Sekcam")
    parser.add_argument("--timeout", type=float, default=180.0, help="batas waktu menunggu (detik)")
    return parser


def _secret(variable: str | None, default: str) -> str:
    if variable is None:
        return default
    value = os.environ.get(variable)
    if not value:
        raise DemoUnavailableError(f"Variabel lingkungan {variable} tidak ada atau kosong.")
    return value


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """``siakgate demo``: 0 done, 1 a flow stopped, 2 services unreachable or options unusable.

    ``clock``: the command's clock (:func:`siakgate.cli.main` passes its own; alone, the system's).
    """
    try:
        args = _parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    clock = clock or Clock()
    token = args.token or os.environ.get(TOKEN_ENV)
    try:
        if not token:
            raise DemoUnavailableError(
                f"Token API tidak diberikan: pakai --token atau ${TOKEN_ENV} (dicetak `make run`)."
            )
        passphrase = _secret(args.passphrase_env, DEMO_PASSPHRASE)
        sekcam = _secret(args.sekcam_passphrase_env, DEMO_SEKCAM_PASSPHRASE)
        summary = anyio.run(
            lambda: run_demo(
                args.gateway,
                token,
                args.out,
                siak_url=args.siak_url,
                passphrase=passphrase,
                sekcam_passphrase=sekcam,
                timeout=args.timeout,
                log=print,
                clock=clock,
            )
        )
    except DemoUnavailableError as exc:
        print(f"siakgate demo: {exc.message}", file=sys.stderr)
        return 2
    except DemoError as exc:
        print(f"siakgate demo: {exc.message}", file=sys.stderr)
        return 1
    for item in summary["applications"]:
        print(f"{item['profile']:<26} {item['case_type']:<16} {item['final_state']:<8} {args.out / item['pdf']}")
    print(f"ringkasan: {args.out / 'summary.json'}")
    return 0
