"""``siakgate serve [--host H] [--port P] [--log-level L]``: run the gateway (uvicorn; settings from ``SIAKGATE_*``).

A service profile that does not make sense is refused here, with its message (exit 2), rather than as a
traceback from the app's lifespan. The database is waited for before uvicorn starts (one line per attempt,
:func:`siakgate.api.serving.await_database`); still unreachable at the bound: exit 1 after one line.
"""

from __future__ import annotations

import argparse
from typing import Any

from siakgate.cli._common import EXIT_OK, UsageProblem, load_settings, whole_number
from siakgate.clock import Clock
from siakgate.errors import SiakgateError

__all__ = ["EXIT_DATABASE_UNREACHABLE", "add_parser", "cmd_serve"]

EXIT_DATABASE_UNREACHABLE = 1


def cmd_serve(args: argparse.Namespace, clock: Clock) -> int:
    import uvicorn

    from siakgate.api import create_app
    from siakgate.api.logs import configure_logging
    from siakgate.api.serving import await_database
    from siakgate.workflow.profiles import load_profiles

    settings = load_settings()
    try:
        load_profiles(settings.profiles_dir)
    except SiakgateError as exc:
        raise UsageProblem(f"profil layanan ditolak: {exc.message}") from exc
    configure_logging(args.log_level.upper())
    if not await_database():
        return EXIT_DATABASE_UNREACHABLE
    uvicorn.run(
        create_app(settings, clock=clock),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For is trusted from Settings.trusted_proxies only (siakgate.limits)
        timeout_graceful_shutdown=10,
    )
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Append ``serve`` to the ``siakgate`` command's subparsers."""
    serve = sub.add_parser("serve", help="jalankan gateway (REST API)", allow_abbrev=False)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ALAMAT",
        help="alamat yang didengarkan (bawaan: 127.0.0.1, hanya komputer ini)",
    )
    serve.add_argument(
        "--port", type=whole_number, default=8000, metavar="PORT", help="port yang didengarkan (bawaan: 8000)"
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="tingkat rincian log (bawaan: info)",
    )
    serve.set_defaults(handler=cmd_serve, reads_pdfs=True)
