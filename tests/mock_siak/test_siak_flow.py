"""The request state machine, signed uploads, the print list and printing, through zeep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import zeep
from siak_helpers import expect_fault, new_couple, new_request_id, stats

from mock_common.pytest_plugin import MockService


def entered(siak: zeep.Client, data: dict[str, Any] | None = None) -> Any:
    return siak.service.EntriDataKeluarga(
        CLIENT_REQUEST_ID=new_request_id(),
        JENIS_PERMOHONAN="KK_BARU_MENIKAH",
        DATA_KELUARGA=data or new_couple(),
    )


def verified(siak: zeep.Client, data: dict[str, Any] | None = None) -> str:
    no = entered(siak, data).NO_PERMOHONAN
    siak.service.AjukanSertifikasi(NO_PERMOHONAN=no, PETUGAS="fo.1")
    siak.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="SETUJU", ID_VERIFIKATOR="kasi.1")
    return no


def certified(siak: zeep.Client, sign_pdf: Callable[[bytes], bytes], data: dict[str, Any] | None = None) -> str:
    no = verified(siak, data)
    draft = siak.service.AmbilDraftKK(NO_PERMOHONAN=no).DRAFT_KK
    siak.service.UnggahKKTertandatangan(NO_PERMOHONAN=no, KK_TERTANDATANGAN=sign_pdf(draft))
    return no


def status(siak: zeep.Client, no: str) -> str:
    return str(siak.service.AmbilDraftKK(NO_PERMOHONAN=no).STATUS)


def test_the_whole_path_to_a_printed_kk(
    mock_siak: MockService, siak: zeep.Client, sign_pdf: Callable[[bytes], bytes]
) -> None:
    answer = entered(siak)
    no = answer.NO_PERMOHONAN
    assert siak.service.AjukanSertifikasi(NO_PERMOHONAN=no).STATUS == "DIAJUKAN"
    result = siak.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="SETUJU", ID_VERIFIKATOR="kasi.yanduk")
    assert result.STATUS == "DIVERIFIKASI"
    draft = siak.service.AmbilDraftKK(NO_PERMOHONAN=no)
    signed = sign_pdf(draft.DRAFT_KK)
    up = siak.service.UnggahKKTertandatangan(NO_PERMOHONAN=no, KK_TERTANDATANGAN=signed)
    assert up.STATUS == "TERSERTIFIKASI"
    assert up.TGL_SERTIFIKASI.utcoffset() is not None
    again = siak.service.AmbilDraftKK(NO_PERMOHONAN=no)
    assert signed == again.KK_TERTANDATANGAN
    assert up.TGL_SERTIFIKASI.date() == siak.service.CariKeluarga(NO_KK=answer.NO_KK).TGL_KELUAR
    listed = siak.service.DaftarCetakKK(STATUS_CETAK="BELUM_DICETAK")
    entry = next(e for e in listed.ENTRI if no == e.NO_PERMOHONAN)
    assert (entry.NO_KK, entry.NAMA_KEP, entry.STATUS_CETAK, entry.JUMLAH_CETAK) == (
        answer.NO_KK,
        "SUAMI UJI",
        "BELUM_DICETAK",
        0,
    )
    printed = siak.service.TandaiTercetak(NO_PERMOHONAN=no, PETUGAS="cetak.1")
    assert (printed.STATUS, printed.JUMLAH_CETAK) == ("TERCETAK", 1)
    assert no not in [e.NO_PERMOHONAN for e in siak.service.DaftarCetakKK(STATUS_CETAK="BELUM_DICETAK").ENTRI]
    done = siak.service.DaftarCetakKK(STATUS_CETAK="SUDAH_DICETAK")
    assert next(e for e in done.ENTRI if no == e.NO_PERMOHONAN).JUMLAH_CETAK == 1


def test_printing_twice_needs_the_reprint_flag(
    mock_siak: MockService, siak: zeep.Client, sign_pdf: Callable[[bytes], bytes]
) -> None:
    no = certified(siak, sign_pdf)
    siak.service.TandaiTercetak(NO_PERMOHONAN=no)
    before = stats(mock_siak)
    expect_fault(lambda: siak.service.TandaiTercetak(NO_PERMOHONAN=no), "STATUS_TIDAK_SESUAI")
    assert stats(mock_siak) == before
    reprint = siak.service.TandaiTercetak(NO_PERMOHONAN=no, CETAK_ULANG=True)
    assert reprint.JUMLAH_CETAK == 2


def test_rejection_is_final_and_needs_a_reason(mock_siak: MockService, siak: zeep.Client) -> None:
    no = entered(siak).NO_PERMOHONAN
    siak.service.AjukanSertifikasi(NO_PERMOHONAN=no)
    info = expect_fault(
        lambda: siak.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="TOLAK", ID_VERIFIKATOR="kasi.1"),
        "DATA_TIDAK_VALID",
    )
    assert info.masalah == [("ALASAN", "ALASAN wajib diisi bila KEPUTUSAN TOLAK.")]
    assert status(siak, no) == "DIAJUKAN"
    result = siak.service.SimpanVerifikasi(
        NO_PERMOHONAN=no, KEPUTUSAN="TOLAK", ALASAN="Buku nikah belum dilegalisir", ID_VERIFIKATOR="kasi.1"
    )
    assert result.STATUS == "DITOLAK"
    for call in (
        lambda: siak.service.AjukanSertifikasi(NO_PERMOHONAN=no),
        lambda: siak.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="SETUJU", ID_VERIFIKATOR="k"),
        lambda: siak.service.TandaiTercetak(NO_PERMOHONAN=no),
    ):
        expect_fault(call, "STATUS_TIDAK_SESUAI")
    assert status(siak, no) == "DITOLAK"


def test_every_step_out_of_order_is_refused(
    mock_siak: MockService, siak: zeep.Client, sign_pdf: Callable[[bytes], bytes]
) -> None:
    no = entered(siak).NO_PERMOHONAN
    signed = sign_pdf(siak.service.AmbilDraftKK(NO_PERMOHONAN=no).DRAFT_KK)
    steps = {
        "verify": lambda: siak.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="SETUJU", ID_VERIFIKATOR="k"),
        "upload": lambda: siak.service.UnggahKKTertandatangan(NO_PERMOHONAN=no, KK_TERTANDATANGAN=signed),
        "print": lambda: siak.service.TandaiTercetak(NO_PERMOHONAN=no),
        "submit": lambda: siak.service.AjukanSertifikasi(NO_PERMOHONAN=no),
    }
    allowed = {"DRAFT": "submit", "DIAJUKAN": "verify", "DIVERIFIKASI": "upload", "TERSERTIFIKASI": "print"}
    for state, step in allowed.items():
        assert status(siak, no) == state
        before = stats(mock_siak)
        for other, call in steps.items():
            if other != step:
                info = expect_fault(call, "STATUS_TIDAK_SESUAI")
                assert state in info.pesan
        assert stats(mock_siak) == before
        assert status(siak, no) == state
        steps[step]()
    assert status(siak, no) == "TERCETAK"


def test_unknown_request_number(siak: zeep.Client) -> None:
    for call in (
        lambda: siak.service.AmbilDraftKK(NO_PERMOHONAN="KK20990101999999"),
        lambda: siak.service.AjukanSertifikasi(NO_PERMOHONAN="KK20990101999999"),
        lambda: siak.service.TandaiTercetak(NO_PERMOHONAN="KK20990101999999"),
    ):
        expect_fault(call, "PERMOHONAN_TIDAK_DITEMUKAN")


def test_upload_must_be_a_signed_pdf(mock_siak: MockService, siak: zeep.Client) -> None:
    no = verified(siak)
    draft = siak.service.AmbilDraftKK(NO_PERMOHONAN=no).DRAFT_KK
    before = stats(mock_siak)
    for payload, reason in (
        (b"bukan pdf", "bukan PDF"),
        (draft, "tidak memuat tanda tangan"),
        (b"%PDF-1.7 rusak", "bukan PDF"),
    ):
        info = expect_fault(
            lambda p=payload: siak.service.UnggahKKTertandatangan(NO_PERMOHONAN=no, KK_TERTANDATANGAN=p),
            "DATA_TIDAK_VALID",
        )
        assert info.masalah[0][0] == "KK_TERTANDATANGAN"
        assert reason in info.masalah[0][1]
    assert stats(mock_siak) == before
    assert status(siak, no) == "DIVERIFIKASI"


def test_print_list_filters_by_region_prefix(
    mock_siak: MockService, siak: zeep.Client, sign_pdf: Callable[[bytes], bytes]
) -> None:
    here = certified(siak, sign_pdf)  # 32 04 15 2006
    elsewhere = new_couple()
    elsewhere.update(NO_KEC="16", KEC_NAME="KERTASARI", NO_KEL="2001", KEL_NAME="CIBEUREUM")
    there = certified(siak, sign_pdf, elsewhere)

    def listed(**filters: Any) -> set[str]:
        return {e.NO_PERMOHONAN for e in siak.service.DaftarCetakKK(**filters).ENTRI} & {here, there}

    assert listed() == {here, there}
    assert listed(NO_PROP="32", NO_KAB="04") == {here, there}
    assert listed(NO_PROP="32", NO_KAB="04", NO_KEC="15") == {here}
    assert listed(NO_PROP="32", NO_KAB="04", NO_KEC="16", NO_KEL="2001") == {there}
    assert listed(NO_PROP="32", NO_KAB="04", NO_KEC="16", NO_KEL="2002") == set()
    assert listed(NO_PROP="35") == set()
    answer = siak.service.DaftarCetakKK(NO_PROP="32")
    assert len(answer.ENTRI) == answer.JUMLAH


def test_print_list_refuses_a_broken_filter(siak: zeep.Client) -> None:
    info = expect_fault(lambda: siak.service.DaftarCetakKK(NO_KEC="15"), "DATA_TIDAK_VALID")
    assert info.masalah[0][0] == "NO_KEC"
    expect_fault(
        lambda: siak.service.DaftarCetakKK(TGL_MULAI="2026-02-01", TGL_SELESAI="2026-01-01"),
        "DATA_TIDAK_VALID",
    )


def _pdf_text(pdf: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_kk_to_sign_loses_the_draft_marks_once_verified(siak: zeep.Client) -> None:
    no = entered(siak).NO_PERMOHONAN
    before = _pdf_text(siak.service.AmbilDraftKK(NO_PERMOHONAN=no).DRAFT_KK)
    assert "DRAFT" in before
    assert "belum berlaku sebagai Kartu Keluarga" in before
    siak.service.AjukanSertifikasi(NO_PERMOHONAN=no)
    siak.service.SimpanVerifikasi(NO_PERMOHONAN=no, KEPUTUSAN="SETUJU", ID_VERIFIKATOR="kasi.1")
    after = _pdf_text(siak.service.AmbilDraftKK(NO_PERMOHONAN=no).DRAFT_KK)
    assert "DRAFT" not in after
    assert "KARTU KELUARGA" in after
    assert "KABUPATEN BANDUNG" in after  # SIAK stores BANDUNG; the KK prints the full title


def test_a_signed_kk_of_another_request_is_refused(
    mock_siak: MockService, siak: zeep.Client, sign_pdf: Callable[[bytes], bytes]
) -> None:
    mine, other = verified(siak), verified(siak)
    others_kk = sign_pdf(siak.service.AmbilDraftKK(NO_PERMOHONAN=other).DRAFT_KK)
    before = stats(mock_siak)
    info = expect_fault(
        lambda: siak.service.UnggahKKTertandatangan(NO_PERMOHONAN=mine, KK_TERTANDATANGAN=others_kk), "DATA_TIDAK_VALID"
    )
    assert "bukan KK untuk permohonan ini" in str(info)
    assert status(siak, mine) == "DIVERIFIKASI"
    assert stats(mock_siak) == before
