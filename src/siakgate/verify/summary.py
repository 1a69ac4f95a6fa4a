"""The short verdict in Bahasa Indonesia, for an officer's screen, a WhatsApp reply or a log line.

It names the signing official but never prints a NIK (not even masked): the name and the time are
what a family needs; the NIK stays in the JSON report.
"""

from __future__ import annotations

from datetime import datetime

from siakgate.clock import WIB
from siakgate.verify.model import Indication, ModificationKind, RevocationStatus, SignatureReport, VerificationReport

PKCS7_SUBFILTER = "/adbe.pkcs7.detached"  # as verify._signature names it (not imported: it loads pyHanko)

_VALID_CHANGES = {
    ModificationKind.NONE: "tidak ada perubahan setelah ditandatangani",
    ModificationKind.LTA_UPDATES: "setelah ditandatangani hanya ditambahkan data validasi, isi dokumen tidak berubah",
    ModificationKind.FORM_FILLING: (
        "setelah ditandatangani hanya ada pengisian formulir atau tanda tangan tambahan, isi dokumen tidak berubah"
    ),
}


def wib(moment: datetime) -> str:
    """``22-11-2026 10:15 WIB``."""
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def _date(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y")


_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def long_wib(moment: datetime) -> str:
    """``3 Desember 2026 10.15 WIB``: a moment as Indonesian prose writes it."""
    local = moment.astimezone(WIB)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H.%M} WIB"


def _proven(sig: SignatureReport) -> str:
    """The sentence for a signature valid at signing time: when it was proven to exist, and what changed since."""
    assert sig.proven_at is not None
    revoked_at = sig.revocation.revoked_at if sig.revocation.status is RevocationStatus.REVOKED else None
    problem = sig.trust_problem or ""
    if revoked_at is not None:
        still, since = "masih berlaku dan belum dicabut", f"sertifikat itu kemudian dicabut pada {long_wib(revoked_at)}"
    elif "OUT_OF_BOUNDS" in problem or "EXPIRED" in problem:
        still, since = "masih berlaku", "sertifikat kini telah kedaluwarsa"
    else:
        still = "masih berlaku"
        since = (
            "status sertifikat saat ini tidak dapat diperiksa, tetapi data validasi dari saat itu tersimpan di dokumen"
        )
    return (
        f"Sah: tanda tangan {sig.signer.name} terbukti ada pada {long_wib(sig.proven_at)}, "
        f"saat sertifikat penanda tangan {still}; {since}."
    )


def _who_when(sig: SignatureReport) -> str:
    when = sig.best_time
    text = f"oleh {sig.signer.name}"
    if when is not None:
        text += f" pada {wib(when)}"
    if sig.level is not None:
        # PKCS#7 signatures reach the same evidence ladder but are not PAdES baseline (see verify._signature)
        kind = "PKCS#7" if sig.subfilter == PKCS7_SUBFILTER else "PAdES"
        text += f" ({kind} {sig.level.value})"
    return text


def _problems(sig: SignatureReport) -> list[str]:
    name = sig.signer.name
    found = []
    if not (sig.intact and sig.signature_valid):
        found.append(f"tanda tangan {name} rusak atau isi yang ditandatangani telah diubah")
    elif not sig.modification.allowed or sig.docmdp_ok is False:
        found.append(f"dokumen diubah setelah ditandatangani oleh {name} ({sig.modification.explanation.rstrip('.')})")
    if sig.indication is Indication.INDETERMINATE and sig.intact and sig.signature_valid:
        found.append(f"tanda tangan {name}: {_lower_first(sig.trust_explanation)}")
    elif sig.revocation.status is RevocationStatus.REVOKED:
        when = f" pada {_date(sig.revocation.revoked_at)}" if sig.revocation.revoked_at is not None else ""
        found.append(f"sertifikat {name} telah dicabut{when}")
    elif not sig.trusted and sig.intact and sig.signature_valid:
        found.append(f"sertifikat {name} tidak terpercaya: {sig.trust_explanation.rstrip('.')}")
    if sig.timestamp is not None and not sig.timestamp.valid and sig.indication is not Indication.INDETERMINATE:
        found.append(f"cap waktu pada tanda tangan {name} tidak valid")
    return found


def _lower_first(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


def summary_id(report: VerificationReport) -> str:
    sigs = report.signatures
    count = f"{len(sigs)} tanda tangan elektronik"
    indication = report.indication
    if indication.valid:
        worst = max((s.modification for s in sigs), key=lambda kind: list(ModificationKind).index(kind))
        text = (
            f"Dokumen valid: {count} {'; '.join(_who_when(s) for s in sigs)}, "
            f"sertifikat terpercaya, {_VALID_CHANGES[worst]}."
        )
        text += "".join(f" {_proven(s)}" for s in sigs if s.indication is Indication.VALID_AT_SIGNING_TIME)
        if any(s.indication is Indication.VALID and s.revocation.status is RevocationStatus.UNKNOWN for s in sigs):
            text += " Status pencabutan sertifikat tidak dapat diperiksa (data validasi tidak tersedia)."
        return text
    problems = [problem for sig in sigs if not sig.valid for problem in _problems(sig)]
    problems += [f"cap waktu dokumen {ts.field_name} rusak" for ts in report.document_timestamps if not ts.intact]
    if not problems:  # defensive: valid is False but no single reason stood out
        problems = ["tanda tangan tidak memenuhi syarat"]
    if indication is Indication.INDETERMINATE:
        return (
            f"Dokumen BELUM DAPAT DIPASTIKAN ({count}): {'; '.join(problems)}. Ini bukan berarti dokumen tidak sah: "
            "periksa lagi nanti, dengan akses ke layanan status sertifikat (OCSP/CRL)."
        )
    return f"Dokumen TIDAK valid ({count}): {'; '.join(problems)}."
