"""``siakgate verify FILE.pdf [FILE.pdf ...] [--json] [--trust-root PEM ...] [--no-fetch] [--at WAKTU]``.

Many files share one :class:`~siakgate.verify.Verifier`: the trust roots are read once and revocation
information is fetched once for the run, not once per file.

Exit codes: 0 every signature valid (now, or at signing time: a signature proven to exist while its
certificate was in force stays valid after the certificate expires), 1 not valid (tampered, untrusted,
signed after the expiry or the revocation, ...), 2 the file is not a readable signed PDF, 3 not decidable
now: revocation information could not be had (a responder out of reach, stale data in the document), try
again later; 130 stopped by Ctrl-C. stdout carries the summary (or the ``--json`` report), nothing else.

Several files: a progress bar on stderr (plain lines when stderr is not a terminal), then a table of every
file (result, level or reason) and the counts (:mod:`siakgate.cli._batch`). Ctrl-C stops the run cleanly: the
table of what was finished, exit 130.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siakgate.cli._batch import Batch, Outcome, worst
from siakgate.cli._common import (
    EXIT_CANCELLED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_TRY_LATER,
    EXIT_UNUSABLE,
    UsageProblem,
    error,
    read_input,
    trust_roots,
)
from siakgate.clock import WIB, Clock
from siakgate.errors import VerificationError

if TYPE_CHECKING:
    from siakgate.verify.model import VerificationReport

__all__ = ["add_parser", "cmd_verify"]


def _moment(text: str) -> datetime:
    """``--at``: an ISO 8601 date or time; without a zone it is WIB (the Dinas's), never the server's."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bukan waktu ISO 8601: {text!r}") from exc
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=WIB)


def cmd_verify(args: argparse.Namespace, clock: Clock) -> int:
    from siakgate.verify.engine import run_sync

    first = read_input(args.file[0])  # a missing file is said before a problem with the roots' settings
    roots = trust_roots(args.trust_root)
    if len(args.file) == 1:
        return run_sync(_verify_files(args, first, roots, clock, None))
    with Batch(len(args.file), "Memverifikasi", "Ringkasan verifikasi") as batch:
        try:
            run_sync(_verify_files(args, first, roots, clock, batch))
        except KeyboardInterrupt:
            interrupted = True
        else:
            interrupted = False
    batch.summary(interrupted=interrupted)
    return EXIT_CANCELLED if interrupted else batch.exit_code()


async def _verify_files(
    args: argparse.Namespace, first: bytes, roots: list[bytes], clock: Clock, batch: Batch | None
) -> int:
    """Every file in turn with one :class:`~siakgate.verify.Verifier` (roots parsed, revocation fetched once).

    One file (``batch`` is None): its summary (or its JSON report) and its exit code. Several: one line per
    file, ``NAME: summary`` (``--json``: one report per line, with ``"file"``), each outcome recorded in
    ``batch`` (progress and the closing table), and the exit code of the worst: 1 if any is not valid, else 2
    if any could not be read, else 3 if any is not decidable now, else 0.
    """
    from siakgate.verify import Verifier

    files: list[Path] = args.file
    codes: list[int] = []
    async with Verifier(trust_roots=roots, allow_fetching=not args.no_fetch, clock=clock, at=args.at) as verifier:
        for index, path in enumerate(files):
            if batch is not None:
                batch.started(path)
            try:
                pdf = first if index == 0 else read_input(path)
                report = await verifier.verify(pdf, document_name=path.name)
            except (UsageProblem, VerificationError) as exc:
                reason = exc.message if isinstance(exc, VerificationError) else str(exc)
                error(f"{path.name}: {reason}")
                outcome = Outcome(path, "tidak dapat diperiksa", reason, EXIT_UNUSABLE)
            else:
                if args.json:
                    data = report.to_json()
                    print(json.dumps(data, ensure_ascii=False, indent=2) if batch is None else _line(path, data))
                else:
                    print(report.summary_id() if batch is None else f"{path}: {report.summary_id()}", flush=True)
                outcome = _outcome(path, report)
            codes.append(outcome.code)
            if batch is not None:
                batch.record(outcome)
    return worst(codes)


def _outcome(path: Path, report: VerificationReport) -> Outcome:
    """One line of the closing table: the result in words and the level reached, or the reason it is not valid."""
    from siakgate.verify import Indication

    if report.valid:
        levels = sorted({str(sig.level) for sig in report.signatures if sig.level is not None})
        detail = f"PAdES {', '.join(levels)}" if levels else ""
        return Outcome(path, "valid", detail, EXIT_OK)
    reason = report.summary_id().split(": ", 1)[-1]
    if report.indication is Indication.INDETERMINATE:
        return Outcome(path, "belum dapat dipastikan", reason, EXIT_TRY_LATER)
    return Outcome(path, "TIDAK valid", reason, EXIT_INVALID)


def _line(path: Path, data: dict[str, Any]) -> str:
    return json.dumps({"file": str(path), **data}, ensure_ascii=False)


def add_parser(sub: Any) -> None:
    """Append ``verify`` to the ``siakgate`` command's subparsers."""
    verify = sub.add_parser("verify", help="verifikasi tanda tangan elektronik sebuah PDF", allow_abbrev=False)
    verify.add_argument("file", type=Path, nargs="+", metavar="PDF", help="satu PDF atau lebih (mis. *.pdf)")
    verify.add_argument("--json", action="store_true", help="laporan lengkap JSON (dengan 'valid' di atas)")
    verify.add_argument(
        "--trust-root",
        type=Path,
        action="append",
        metavar="PEM",
        help="sertifikat akar terpercaya, PEM atau DER (boleh berulang; bawaan: dari konfigurasi SIAKGATE_*)",
    )
    verify.add_argument(
        "--no-fetch",
        action="store_true",
        help="jangan ambil OCSP/CRL dari jaringan; pakai hanya data validasi di dokumen",
    )
    verify.add_argument(
        "--at",
        type=_moment,
        metavar="WAKTU",
        help="validasi pada waktu tertentu, ISO 8601 (tanpa zona: WIB); hanya data di dokumen yang dipakai",
    )
    verify.set_defaults(handler=cmd_verify, reads_pdfs=True)
