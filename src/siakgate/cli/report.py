"""``siakgate report --profile P --from YYYY-MM-DD --to YYYY-MM-DD [--region PREFIX] [--json]``.

The SLA report of the database named by the settings (``SIAKGATE_DATABASE_URL``), as a table or as the
API's JSON (``GET /v1/reports/sla``). An unknown profile or a bad period is exit 2 with its message.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from siakgate.cli._common import EXIT_OK, open_state
from siakgate.clock import Clock

__all__ = ["add_parser", "cmd_report"]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"tanggal tidak valid: {text!r} (YYYY-MM-DD)") from exc


def cmd_report(args: argparse.Namespace, clock: Clock) -> int:
    """Print the report."""
    import asyncio

    from siakgate.reports.render import report_dict, report_table
    from siakgate.reports.sla import build_sla_report
    from siakgate.workflow.calendar import WorkingCalendar
    from siakgate.workflow.profiles import load_profiles

    with open_state(clock) as (settings, db, clock):
        profiles = load_profiles(settings.profiles_dir)
        report = asyncio.run(
            build_sla_report(
                db,
                profiles,
                args.profile,
                args.start,
                args.end,
                calendar=WorkingCalendar(),
                now=clock.now(),
                region_prefix=args.region,
            )
        )
    if args.json:
        print(json.dumps(report_dict(report), ensure_ascii=False, indent=2))
    else:
        print(report_table(report), end="")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Append ``report`` to the ``siakgate`` command's subparsers."""
    report = sub.add_parser("report", help="laporan waktu layanan per profil dan periode", allow_abbrev=False)
    report.add_argument("--profile", required=True, metavar="PROFIL", help="id profil layanan, mis. lumajang-bca")
    report.add_argument(
        "--from", dest="start", type=_date, required=True, metavar="TANGGAL", help="tanggal awal (WIB), YYYY-MM-DD"
    )
    report.add_argument(
        "--to", dest="end", type=_date, required=True, metavar="TANGGAL", help="tanggal akhir (WIB), YYYY-MM-DD"
    )
    report.add_argument("--region", default="", metavar="WILAYAH", help="awalan kode wilayah (kosong: semua)")
    report.add_argument("--json", action="store_true", help="JSON seperti GET /v1/reports/sla")
    report.set_defaults(handler=cmd_report)
