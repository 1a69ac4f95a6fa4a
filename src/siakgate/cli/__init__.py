"""The ``siakgate`` command (console script and ``python -m siakgate``): one module per command group.

::

    siakgate verify FILE.pdf ...        siakgate.cli.verify    verify PDFs' signatures (0 valid, 1 not, 2 unreadable)
    siakgate sign IN.pdf -o OUT.pdf     siakgate.cli.sign      sign PDFs with the backend the options describe
    siakgate sign A.pdf B.pdf --out-dir DIR                    (many files: progress bar and a summary table)
    siakgate serve                      siakgate.cli.serve     run the gateway (uvicorn, 127.0.0.1:8000 by default)
    siakgate tokens add|list|revoke     siakgate.cli.tokens    the calling systems' API tokens
    siakgate users add|list|disable     siakgate.cli.users     the signing workstation's officers
    siakgate report --profile P ...     siakgate.cli.report    the SLA report of a profile and a period
    siakgate audit verify|list          siakgate.cli.audit     the audit trail's hash chain and entries
    siakgate archive verify|restore     siakgate.cli.archive   the archive's copies: re-hash, repair
    siakgate demo --out DIR             siakgate.cli.demo      one application per service profile, over HTTP

:func:`main` is the composition root: it builds the one :class:`~siakgate.clock.Clock` and hands it to
the command, which passes it to whatever it builds. Every command that needs the database opens it the
same way (:func:`siakgate.cli._common.open_state`: settings from ``SIAKGATE_*``, the database migrated,
disposed on exit). Exit codes: 0 done / valid, 1 a "no" (invalid, refused, broken, bad copy), 2 the
command cannot run as asked, 130 Ctrl-C; messages for people in Bahasa Indonesia on stderr, results on
stdout. argparse's own words ("usage:", its errors) are Indonesian too: :mod:`siakgate.cli._argparse_id`.

Start-up: building the parser imports only the command modules, which import nothing heavy at the top
(pyHanko, SQLAlchemy, FastAPI, zeep, httpx come in inside the handler that needs them), so ``siakgate
--help`` answers at once; ``tests/cli/test_cli_startup.py`` keeps it so.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from siakgate.cli import archive, audit, report, serve, sign, tokens, users, verify
from siakgate.cli._argparse_id import indonesian_argparse
from siakgate.cli._common import EXIT_CANCELLED, EXIT_UNUSABLE, UsageProblem, error
from siakgate.clock import Clock

if TYPE_CHECKING:
    from siakgate.store.documents import write_atomically

__all__ = ["build_parser", "main", "write_atomically"]

Handler = Callable[[argparse.Namespace, Clock], int]
"""What each command's parser sets as ``handler``: the parsed options and the command's clock to an exit code."""


def build_parser() -> argparse.ArgumentParser:
    """The ``siakgate`` parser; build (and use) it inside :func:`indonesian_argparse`, as :func:`main` does."""
    from siakgate import __version__

    # allow_abbrev=False: "--passphrase X" must not silently become "--passphrase-env X".
    parser = argparse.ArgumentParser(
        prog="siakgate",
        description="SIAK dan TTE: tanda tangani dan verifikasi KK.",
        epilog="Bantuan setiap perintah: siakgate PERINTAH --help",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--version", action="version", version=f"siakgate {__version__}", help="tampilkan versi program lalu keluar"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH", help="salah satu perintah berikut")
    verify.add_parser(sub)
    sign.add_parser(sub)
    serve.add_parser(sub)
    tokens.add_parser(sub)
    report.add_parser(sub)
    # Listed for --help only: main() hands "demo" its arguments before this parser sees them.
    sub.add_parser("demo", help="jalankan satu permohonan per profil layanan lewat HTTP (--out DIR)", add_help=False)
    audit.add_parser(sub)
    archive.add_parser(sub)
    users.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run the command ``argv`` (default ``sys.argv[1:]``) with ``clock`` (default: the system's); its exit code.

    argparse speaks Bahasa Indonesia while the parser is built and used (:func:`indonesian_argparse`, here
    and nowhere else). Ctrl-C anywhere is a one-line ``Dibatalkan`` and exit 130, never a traceback.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(arguments, clock)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the prompt or the progress line the Ctrl-C cut short
        error("Dibatalkan (Ctrl-C).")
        return EXIT_CANCELLED


def _run(arguments: list[str], clock: Clock | None) -> int:
    if arguments[:1] == ["demo"]:
        from siakgate.cli import demo

        # The demo driver owns its options, and is its own composition root.
        with indonesian_argparse():
            return demo.main(arguments[1:])
    with indonesian_argparse():
        args = build_parser().parse_args(arguments)
    # pyHanko logs every failed check with a traceback; the report already says what failed.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    handler: Handler = args.handler
    if getattr(args, "reads_pdfs", False):
        # The command line is a composition root: commands that read signed PDFs use the faster hex reader.
        from siakgate.verify import use_fast_hex_reader

        use_fast_hex_reader()
    try:
        return handler(args, clock or Clock())
    except UsageProblem as exc:
        error(str(exc))
        return EXIT_UNUSABLE


def __getattr__(name: str) -> Any:
    # Re-exported lazily: siakgate.store pulls in SQLAlchemy, which ``siakgate --help`` has no use for.
    if name == "write_atomically":
        from siakgate.store.documents import write_atomically

        return write_atomically
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
