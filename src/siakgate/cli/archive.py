"""``siakgate archive verify`` (0 every copy good, 1 a copy missing or corrupted, 2 cannot run) and
``siakgate archive restore`` (0 every bad copy repaired or none, 1 a record has no good copy left, 2
cannot run). One line per bad copy, in Bahasa Indonesia; ``--json`` prints the report.
``siakgate archive renew`` runs one pass of the renewer (:mod:`siakgate.archive.renew`: a new document
timestamp on every archived KK that is due; 0 none failed, 1 one failed and is retried later, 2 cannot
run) and lists what was renewed and what waits; ``--dry-run`` only lists.

Each repair is appended to the audit trail by :func:`~siakgate.archive.check.restore_archive` itself,
with this command's user as the actor.
"""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from siakgate.cli._common import EXIT_INVALID, EXIT_OK, UsageProblem, load_settings, open_state, whole_number
from siakgate.clock import Clock, to_wib

if TYPE_CHECKING:
    from siakgate.archive.check import ArchiveReport
    from siakgate.config import Settings

__all__ = ["add_parser", "cmd_archive"]


def cmd_archive(args: argparse.Namespace, clock: Clock) -> int:
    from pydantic import ValidationError

    from siakgate.archive.check import restore_archive, verify_archive
    from siakgate.archive.replicate import Archive
    from siakgate.archive.settings import archive_settings, locations_for
    from siakgate.store.documents import DocumentStore

    settings = load_settings()
    if args.archive_command == "renew":
        return _renew(args, settings, clock)
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


def _renew(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    import anyio

    from siakgate.archive.renew import build_renewer
    from siakgate.store.documents import DocumentStore

    with open_state(clock, settings=settings) as (settings, db, clock):
        renewer = build_renewer(settings, db, DocumentStore(settings.document_root), clock)
        if renewer is None:
            raise UsageProblem(
                "layanan cap waktu (SIAKGATE_SIGNING__TSA_URL) belum diatur; arsip tidak dapat diperbarui"
            )
        if args.dry_run:
            report = anyio.run(partial(renewer.report, upcoming=args.upcoming))
        else:
            report = anyio.run(partial(renewer.run_pending, limit=args.limit, upcoming=args.upcoming))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK if report.ok else EXIT_INVALID
    now = clock.now()
    for r in report.renewed:
        print(
            f"diperbarui: permohonan {r.application_id} (arsip #{r.from_record} -> #{r.record}), cap waktu "
            f"{format_wib(r.timestamp_at)}, berlaku sampai {format_wib(r.tsa_valid_until)}; "
            f"perbarui lagi {format_wib(r.renew_at)}"
        )
    for f in report.failed:
        print(
            f"gagal: permohonan {f.application_id} (arsip #{f.record}): {f.code}; dicoba lagi {format_wib(f.retry_at)}"
        )
    for d in report.due:
        when = "sekarang" if d.renew_at <= now else format_wib(d.renew_at)
        print(f"menunggu: permohonan {d.application_id} (arsip #{d.record}, {d.kind}): jatuh tempo {when}")
    print(
        f"Pembaruan arsip: {len(report.renewed)} diperbarui, {len(report.failed)} gagal, "
        f"{report.waiting} menunggu pembaruan berikutnya."
    )
    return EXIT_OK if report.ok else EXIT_INVALID


def format_wib(at: datetime) -> str:
    return to_wib(at).strftime("%Y-%m-%d %H:%M WIB")


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
        "archive", help="arsip KK bertanda tangan: periksa, pulihkan dan perbarui salinan", allow_abbrev=False
    )
    commands = archive.add_subparsers(
        dest="archive_command", required=True, metavar="TINDAKAN", help="verify, restore atau renew"
    )
    for name, help_text in (
        ("verify", "hitung ulang SHA-256 setiap salinan (0 utuh, 1 ada yang hilang/rusak)"),
        ("restore", "pulihkan salinan hilang/rusak dari salinan yang baik (0 pulih, 1 tidak ada sumber baik)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--json", action="store_true", help="laporan JSON")
    renew = commands.add_parser(
        "renew",
        help="beri cap waktu dokumen baru (PAdES B-LTA) pada KK arsip yang jatuh tempo (0 berhasil, 1 ada yang gagal)",
    )
    renew.add_argument("--json", action="store_true", help="laporan JSON")
    renew.add_argument("--dry-run", action="store_true", help="hanya laporkan yang menunggu; tidak mengubah apa pun")
    renew.add_argument(
        "--limit",
        type=whole_number,
        default=100,
        metavar="JUMLAH",
        help="paling banyak sekian KK dalam satu kali jalan",
    )
    renew.add_argument(
        "--upcoming",
        type=whole_number,
        default=20,
        metavar="JUMLAH",
        help="tampilkan sekian KK berikutnya yang menunggu",
    )
    archive.set_defaults(handler=cmd_archive)
