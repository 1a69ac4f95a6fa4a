"""CariPenduduk, CekDataPenduduk and CariKeluarga through zeep against the session mock."""

from __future__ import annotations

import zeep
from siak_helpers import expect_fault, sample

from mock_common.pytest_plugin import MockService


def test_cari_penduduk_returns_the_person_and_their_kk(mock_siak: MockService, siak: zeep.Client) -> None:
    family = sample(mock_siak, 1)[0]
    nik = family["NIK"][0]
    answer = siak.service.CariPenduduk(NIK=nik)
    assert family["NO_KK"] == answer.NO_KK
    assert nik == answer.PENDUDUK.NIK
    assert answer.PENDUDUK.STAT_HBKEL in range(1, 12)
    assert answer.PENDUDUK.TGL_LHR.year > 1900


def test_cari_penduduk_unknown_nik(siak: zeep.Client) -> None:
    info = expect_fault(lambda: siak.service.CariPenduduk(NIK="3204150101019999"), "NIK_TIDAK_DITEMUKAN")
    assert info.faultcode == "soap:Client"
    assert "tidak ditemukan" in info.pesan


def test_cek_data_sesuai_and_tidak_sesuai(mock_siak: MockService, siak: zeep.Client) -> None:
    nik = sample(mock_siak, 1)[0]["NIK"][0]
    person = siak.service.CariPenduduk(NIK=nik)
    p = person.PENDUDUK
    ok = siak.service.CekDataPenduduk(
        NIK=nik,
        NO_KK=person.NO_KK,
        NAMA_LGKP=p.NAMA_LGKP.lower(),  # case and spacing do not matter
        TGL_LHR=p.TGL_LHR,
        NAMA_LGKP_IBU=p.NAMA_LGKP_IBU,
    )
    assert ok.HASIL == "SESUAI"
    assert not ok.ELEMEN_TIDAK_SESUAI
    wrong = siak.service.CekDataPenduduk(
        NIK=nik, NAMA_LGKP=p.NAMA_LGKP, NAMA_LGKP_IBU="BUKAN IBUNYA", TMPT_LHR="ANTAH BERANTAH"
    )
    assert wrong.HASIL == "TIDAK SESUAI"
    assert wrong.ELEMEN_TIDAK_SESUAI == ["TMPT_LHR", "NAMA_LGKP_IBU"]


def test_cek_data_needs_something_to_check(mock_siak: MockService, siak: zeep.Client) -> None:
    nik = sample(mock_siak, 1)[0]["NIK"][0]
    expect_fault(lambda: siak.service.CekDataPenduduk(NIK=nik), "DATA_TIDAK_VALID")


def test_cek_data_unknown_nik(siak: zeep.Client) -> None:
    expect_fault(
        lambda: siak.service.CekDataPenduduk(NIK="3204150101019999", NAMA_LGKP="X"),
        "NIK_TIDAK_DITEMUKAN",
    )


def test_cari_keluarga_lists_every_member(mock_siak: MockService, siak: zeep.Client) -> None:
    family = sample(mock_siak, 2)[1]
    kk = siak.service.CariKeluarga(NO_KK=family["NO_KK"])
    assert family["NO_KK"] == kk.NO_KK
    assert [m.NIK for m in kk.ANGGOTA] == family["NIK"]
    heads = [m for m in kk.ANGGOTA if m.STAT_HBKEL == 1]
    assert len(heads) == 1
    assert kk.NAMA_KEP == heads[0].NAMA_LGKP
    assert kk.NO_KK[:6] == f"{kk.NO_PROP}{kk.NO_KAB}{kk.NO_KEC}"


def test_cari_keluarga_unknown(siak: zeep.Client) -> None:
    expect_fault(lambda: siak.service.CariKeluarga(NO_KK="3204150101990001"), "NO_KK_TIDAK_DITEMUKAN")
