"""``siakgate archive verify`` (0 every copy good, 1 a copy missing or corrupted, 2 cannot run) and
``siakgate archive restore`` (0 every bad copy repaired or none, 1 a record has no good copy left, 2
cannot run). One line per bad copy, in Bahasa Indonesia; ``--json`` prints the report.

Each repair is appended to the audit trail by :func:`~siakgate.archive.check.restore_archive` itself,
with this command's user as the actor.
"""

from __future__ import annotations

import argparse
import getpass
import json
from typing import TYPE_CHECKING, Any

from siakgate.cli._common import EXIT_INVALID, EXIT_OK, UsageProblem, load_settings, open_state
from siakgate.clock import Clock

if TYPE_CHECKING:
    from siakgate.archive.check import ArchiveReport

__all__ = ["add_parser", "cmd_archive"]


def cmd_archive(args: argparse.Namespace, clock: Clock) -> int:
    from pydantic import ValidationError

    from siakgate.archive.check import restore_archive, verify_archive
    from siakgate.archive.replicate import Archive
    from siakgate.archive.settings import archive_settings, locations_for
    from siakgate.store.documents import DocumentStore

    settings = load_settings()
    try:
        locations = locations_for(settings, archive_settings(settings))
    except (ValidationError, ValueError) as exc:
        raise UsageProblem(f"konfigurasi arsip tidak valid: {exc}") from exc
    with open_state(clock, settings=settings) as (settings, db, clock):
        archive = Archive(db, DocumentStore(settings.document_root), locations, clock=clock)
        if args.archive_command == "verify":
            report = verify_archive(archive)
        else:
            report = restore_archive(archive, actor=f"cli:{getpass.getuser()}")
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in report.messages():
            print(line)
        print(_summary(args.archive_command, report))
    return EXIT_OK if report.intact else EXIT_INVALID


def _summary(command: str, report: ArchiveReport) -> str:
    where = ", ".join(report.locations)
    if command == "verify":
        if report.intact:
            return f"Arsip utuh: {report.records} berkas di setiap lokasi ({where})."
        return (
            f"Arsip tidak utuh: {len(report.problems)} salinan hilang atau rusak; jalankan 'siakgate archive restore'."
        )
    if report.unrepairable:
        return f"Pemulihan tidak lengkap: {len(report.unrepairable)} salinan tanpa sumber yang baik."
    if report.problems:
        return f"Pemulihan selesai: {len(report.problems)} salinan dipulihkan dari salinan yang baik."
    return f"Tidak ada yang perlu dipulihkan: {report.records} berkas utuh ({where})."


def add_parser(sub: Any) -> None:
    """Append ``archive`` to the ``siakgate`` command's subparsers."""
    archive = sub.add_parser(
        "archive", help="arsip KK bertanda tangan: periksa dan pulihkan salinan", allow_abbrev=False
    )
    commands = archive.add_subparsers(dest="archive_command", required=True)
    for name, help_text in (
        ("verify", "hitung ulang SHA-256 setiap salinan (0 utuh, 1 ada yang hilang/rusak)"),
        ("restore", "pulihkan salinan hilang/rusak dari salinan yang baik (0 pulih, 1 tidak ada sumber baik)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--json", action="store_true", help="laporan JSON")
    archive.set_defaults(handler=cmd_archive)
