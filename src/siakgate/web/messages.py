"""What the pages say: flash messages after an action, and error codes in plain words.

The signing errors come from every backend under the same codes (:mod:`siakgate.errors`), so the
Kepala Dinas reads "Passphrase salah" whichever key holder refused; the backend's own message follows
for the details an operator may need.
"""

from __future__ import annotations

from siakgate.workflow.states import State

__all__ = ["ACTION_LABELS", "CREDENTIAL_CODES", "FLASH", "RETRY_LATER_CODES", "plain_error"]

FLASH: dict[str, tuple[str, str]] = {
    "disetujui": ("ok", "Draf disetujui. KK diteruskan untuk TTE Kepala Dinas."),
    "ditolak": ("ok", "Draf ditolak. Alasan dikirim kembali kepada pemohon."),
    "keluar": ("ok", "Anda sudah keluar."),
    "sesi-berakhir": ("error", "Sesi Anda berakhir. Silakan masuk lagi."),
    "perlu-masuk": ("error", "Silakan masuk terlebih dahulu."),
    "otp-dikirim": ("ok", "Kode OTP sudah dikirim. Masukkan kode itu lalu tekan Tandatangani."),
    "penandatanganan-dimulai": ("ok", "Penandatanganan dimulai. Halaman ini menampilkan kemajuannya."),
}
"""``?pesan=<key>`` -> (kind, text): fixed texts only, nothing from the request is echoed."""

CREDENTIAL_CODES = frozenset({"PASSPHRASE_SALAH", "PIN_SALAH", "OTP_TIDAK_VALID", "PASSPHRASE_KOSONG", "PIN_KOSONG"})
"""The secret was refused: nothing was signed, the batch waits for another try."""

RETRY_LATER_CODES = frozenset(
    {
        "LAYANAN_TIDAK_TERSEDIA",
        "LAYANAN_SEMENTARA_GAGAL",
        "WAKTU_HABIS",
        "JAWABAN_TIDAK_VALID",
        "TSA_TIDAK_TERSEDIA",
        "OCSP_CRL_TIDAK_TERSEDIA",
    }
)
"""A service (BSrE, its OCSP/CRL/TSA) failed for now: the failed KKs wait in the batch for a later try."""

_PLAIN: dict[str, str] = {
    "PASSPHRASE_SALAH": "Passphrase salah.",
    "PIN_SALAH": "PIN salah.",
    "PIN_TERKUNCI": "PIN token terkunci; hubungi pengelola sertifikat.",
    "OTP_TIDAK_VALID": "Kode OTP salah, sudah dipakai, atau kedaluwarsa. Minta kode baru.",
    "PASSPHRASE_KOSONG": "Passphrase belum diisi.",
    "SERTIFIKAT_TIDAK_AKTIF": "Sertifikat elektronik tidak aktif (kedaluwarsa atau dicabut).",
    "SERTIFIKAT_TIDAK_VALID": "Sertifikat elektronik tidak sah.",
    "SERTIFIKAT_TIDAK_DITEMUKAN": "Sertifikat elektronik tidak ditemukan.",
    "PENANDATANGAN_TIDAK_TERDAFTAR": "Penanda tangan belum terdaftar di BSrE.",
    "BSRE_TIDAK_BERWENANG": "Gateway tidak diizinkan memakai layanan BSrE (periksa akun aplikasi).",
    "LAYANAN_TIDAK_TERSEDIA": "BSrE tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
    "LAYANAN_SEMENTARA_GAGAL": "BSrE tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
    "WAKTU_HABIS": "BSrE tidak menjawab tepat waktu. Coba lagi beberapa saat lagi.",
    "JAWABAN_TIDAK_VALID": "Jawaban BSrE tidak dapat dibaca. Coba lagi beberapa saat lagi.",
    "TSA_TIDAK_TERSEDIA": "Layanan cap waktu (TSA) tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
    "OCSP_CRL_TIDAK_TERSEDIA": (
        "Layanan pemeriksaan status sertifikat BSrE (OCSP/CRL) tidak dapat dihubungi. Ini gangguan sementara, "
        "bukan masalah sertifikat: coba lagi beberapa saat lagi."
    ),
    "DRAFT_TIDAK_ADA": "KK untuk ditandatangani belum tersedia dari SIAK.",
    "BATCH_SEDANG_DITANDATANGANI": "Batch ini sedang ditandatangani; tunggu sampai selesai.",
    "SUDAH_DALAM_BATCH": "KK yang dipilih sudah ada di batch lain yang belum selesai; buka batch itu.",
    "OTP_TIDAK_DIPAKAI": "Penanda tangan ini tidak memakai OTP; gunakan passphrase.",
    "KREDENSIAL_DIHAPUS": "Passphrase sudah dihapus dari memori; masukkan lagi.",
}

ACTION_LABELS: dict[str, str] = {
    "approved": "Menyetujui draf",
    "approve": "Menyetujui draf",
    "rejected": "Menolak draf",
    "reject": "Menolak draf",
    "signed": "Menandatangani (TTE)",
}


def plain_error(code: str | None, message: str | None) -> str:
    """One sentence for a person: the plain words for a known ``code``; otherwise the message itself.

    A known code's technical detail (BSrE's own text, often in English) stays out of the officer's page: it is in
    the batch's JSON and the logs for whoever has to diagnose it.
    """
    plain = _PLAIN.get(code or "")
    if plain is not None:
        return plain
    return (message or "").strip() or "Terjadi kesalahan."


STATE_LABELS: dict[str, str] = {
    State.MENUNGGU_KELENGKAPAN: "Menunggu pemeriksaan kelengkapan",
    State.DIKEMBALIKAN: "Dikembalikan ke pemohon",
    State.DIPROSES_SIAK: "Sedang diproses di SIAK",
    State.MENUNGGU_KONFIRMASI_PEMOHON: "Menunggu konfirmasi pemohon",
    State.MENUNGGU_VERIFIKASI: "Menunggu verifikasi",
    State.DITOLAK: "Ditolak",
    State.MENUNGGU_PENGANTAR: "Menunggu surat pengantar kecamatan",
    State.MENUNGGU_TTE: "Menunggu TTE Kepala Dinas",
    State.MENUNGGU_CETAK: "Menunggu dicetak",
    State.MENUNGGU_PENYERAHAN: "Menunggu diserahkan",
    State.SELESAI: "Selesai",
    State.GANGGUAN: "Gangguan (perlu ditangani admin)",
}
"""Each workflow state as an officer reads it (siakgate.workflow.states.State values)."""


def state_label(state: str | None) -> str:
    return STATE_LABELS.get(state or "", state or "-")
