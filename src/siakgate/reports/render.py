"""The report as JSON-ready data (API, ``--json``) and as a text table (the CLI's default)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from siakgate.reports.sla import SlaReport

__all__ = ["report_dict", "report_table"]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def report_dict(report: SlaReport) -> dict[str, Any]:
    """Every field of the report, dates and datetimes as ISO 8601 strings."""
    data: dict[str, Any] = _plain(dataclasses.asdict(report))
    return data


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report_table(report: SlaReport) -> str:
    """A plain-text table (Bahasa Indonesia headings) for a terminal or a report printout."""
    share = "-" if report.within_share is None else f"{report.within_share * 100:.1f}%"
    region = report.region_prefix or "semua wilayah"
    lines = [
        f"Laporan waktu layanan: {report.profile_name} ({report.profile_id})",
        f"Periode {report.start.isoformat()} s.d. {report.end.isoformat()} (WIB), wilayah: {region}",
        f"Standar waktu layanan: {report.service_days} hari kerja",
        "",
        f"Permohonan           {report.applications:>6}",
        f"Selesai              {report.finished:>6}",
        f"  tepat waktu        {report.within:>6}   ({share})",
        f"  terlambat          {report.late:>6}",
        f"Belum selesai        {report.open:>6}",
        f"  sudah lewat waktu  {report.open_overdue:>6}",
        f"Median hari kerja    {_number(report.median_working_days, 2):>6}",
        "",
    ]
    header = ("Langkah", "Standar", "Jumlah", "Median", "P90", "<= standar")
    rows = [
        (
            f"{step.step_id} {step.name}"[:48],
            _number(step.standard_minutes),
            str(step.count),
            _number(step.median_minutes),
            _number(step.p90_minutes),
            str(step.within_standard),
        )
        for step in report.steps
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines.append("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(header)))
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append(
            "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        )
    if not rows:
        lines.append("(belum ada langkah yang tercatat)")
    lines.append("Waktu langkah dalam menit.")
    return "\n".join(lines) + "\n"
