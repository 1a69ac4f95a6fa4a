"""EntriDataKeluarga: new families, changes, lost KKs, idempotency, and every refusal leaving nothing written."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import requests
import zeep
from siak_helpers import (
    as_data,
    expect_fault,
    fresh_nik,
    member,
    new_couple,
    new_request_id,
    sample,
    stats,
)

from mock_common.pytest_plugin import MockService


def enter(siak: zeep.Client, jenis: str, data: Any = None, no_kk: str | None = None, crid: str | None = None) -> Any:
    return siak.service.EntriDataKeluarga(
        CLIENT_REQUEST_ID=crid or new_request_id(),
        JENIS_PERMOHONAN=jenis,
        NO_KK=no_kk,
        DATA_KELUARGA=data,
        PETUGAS="operator.fo",
    )


def refused(
    mock_siak: MockService, siak: zeep.Client, kode: str, jenis: str, data: Any = None, no_kk: str | None = None
) -> Any:
    """Enter a request that must be refused with ``kode``; prove nothing was written."""
    before = stats(mock_siak)
    family_before = _family_or_none(siak, no_kk)
    info = expect_fault(lambda: enter(siak, jenis, data, no_kk), kode)
    assert stats(mock_siak) == before
    assert _family_or_none(siak, no_kk) == family_before
    return info


def _family_or_none(siak: zeep.Client, no_kk: str | None) -> Any:
    if no_kk is None:
        return None
    try:
        return siak.service.CariKeluarga(NO_KK=no_kk)
    except zeep.exceptions.Fault:
        return None


def test_new_family_gets_a_new_kk(mock_siak: MockService, siak: zeep.Client) -> None:
    data = new_couple()
    before = stats(mock_siak)
    answer = enter(siak, "KK_BARU_MENIKAH", data)
    assert answer.STATUS == "DRAFT"
    assert answer.NO_PERMOHONAN.startswith("KK")
    assert answer.NO_KK.startswith("320415")  # area code of the address
    after = stats(mock_siak)
    assert after["requests"] == before["requests"] + 1
    assert after["families"] == before["families"] + 1
    kk = siak.service.CariKeluarga(NO_KK=answer.NO_KK)
    assert [m.NIK for m in kk.ANGGOTA] == [m["NIK"] for m in data["ANGGOTA"]]
    assert kk.NAMA_KEP == "SUAMI UJI"
    draft = siak.service.AmbilDraftKK(NO_PERMOHONAN=answer.NO_PERMOHONAN)
    assert draft.STATUS == "DRAFT"
    assert draft.JENIS_PERMOHONAN == "KK_BARU_MENIKAH"
    assert draft.DRAFT_KK.startswith(b"%PDF-")
    assert draft.KELUARGA.NO_KK == answer.NO_KK
    assert draft.KK_TERTANDATANGAN is None


def test_add_a_child_keeps_the_kk_number(mock_siak: MockService, siak: zeep.Client) -> None:
    no_kk = enter(siak, "KK_BARU_MENIKAH", new_couple()).NO_KK
    data = as_data(siak.service.CariKeluarga(NO_KK=no_kk))
    data["ANGGOTA"].append(member(date.today() - timedelta(days=3), female=True, hubungan=4, nama="ANAK UJI"))
    answer = enter(siak, "TAMBAH_ANGGOTA", data, no_kk)
    assert no_kk == answer.NO_KK
    assert len(siak.service.CariKeluarga(NO_KK=no_kk).ANGGOTA) == 3


def test_lost_kk_reissues_the_same_data(mock_siak: MockService, siak: zeep.Client) -> None:
    no_kk = sample(mock_siak, 3)[2]["NO_KK"]
    before = siak.service.CariKeluarga(NO_KK=no_kk)
    answer = enter(siak, "HILANG", no_kk=no_kk)
    assert no_kk == answer.NO_KK
    draft = siak.service.AmbilDraftKK(NO_PERMOHONAN=answer.NO_PERMOHONAN)
    assert [m.NIK for m in draft.KELUARGA.ANGGOTA] == [m.NIK for m in before.ANGGOTA]
    assert siak.service.CariKeluarga(NO_KK=no_kk) == before


def test_lost_kk_refuses_data_and_needs_the_kk(mock_siak: MockService, siak: zeep.Client) -> None:
    no_kk = sample(mock_siak, 3)[2]["NO_KK"]
    info = refused(mock_siak, siak, "DATA_TIDAK_VALID", "HILANG", new_couple(), no_kk)
    assert "DATA_KELUARGA" in [e for e, _ in info.masalah]
    info = refused(mock_siak, siak, "DATA_TIDAK_VALID", "HILANG")
    assert [e for e, _ in info.masalah] == ["NO_KK"]


def test_unknown_reference_kk(mock_siak: MockService, siak: zeep.Client) -> None:
    refused(mock_siak, siak, "NO_KK_TIDAK_DITEMUKAN", "HILANG", no_kk="3204150101990001")


def test_marriage_moves_members_out_of_their_parents_kk(mock_siak: MockService, siak: zeep.Client) -> None:
    # A grown child leaves a generated family to found a new one with a fresh spouse.
    for family in sample(mock_siak, 40):
        kk = siak.service.CariKeluarga(NO_KK=family["NO_KK"])
        children = [m for m in kk.ANGGOTA if m.STAT_HBKEL == 4 and date(2004, 1, 1) > m.TGL_LHR]
        if children:
            break
    else:
        raise AssertionError("no family with a grown child in the sample")
    child = zeep.helpers.serialize_object(children[0], dict)
    female = child["JENIS_KLMIN"] == 2
    spouse = member(date(1999, 1, 5), female=not female, hubungan=1 if female else 3, kawin=2)
    child.update(STAT_HBKEL=3 if female else 1, STATUS_KAWIN=2, TGL_KWN=date(2025, 2, 2))
    data = {**new_couple(), "ANGGOTA": [child, spouse] if not female else [spouse, child]}
    answer = enter(siak, "KK_BARU_MENIKAH", data)
    assert siak.service.CariPenduduk(NIK=child["NIK"]).NO_KK == answer.NO_KK
    old = siak.service.CariKeluarga(NO_KK=kk.NO_KK)
    assert child["NIK"] not in [m.NIK for m in old.ANGGOTA]
    assert len(old.ANGGOTA) == len(kk.ANGGOTA) - 1


def test_nik_in_another_family_is_duplikat_when_the_case_moves_nobody(
    mock_siak: MockService, siak: zeep.Client
) -> None:
    other = siak.service.CariKeluarga(NO_KK=sample(mock_siak, 4)[3]["NO_KK"])
    stranger = zeep.helpers.serialize_object(other.ANGGOTA[-1], dict)
    stranger["STAT_HBKEL"] = 9
    no_kk = enter(siak, "KK_BARU_MENIKAH", new_couple()).NO_KK
    data = as_data(siak.service.CariKeluarga(NO_KK=no_kk))
    data["ANGGOTA"].append(stranger)
    info = refused(mock_siak, siak, "DUPLIKAT", "PERUBAHAN_DATA", data, no_kk)
    assert info.masalah == [("NIK", "Anggota ke-3: NIK sudah terdaftar pada KK lain.")]
    assert stranger["NIK"] in [m.NIK for m in siak.service.CariKeluarga(NO_KK=other.NO_KK).ANGGOTA]


def test_invalid_family_data_lists_every_problem(mock_siak: MockService, siak: zeep.Client) -> None:
    data = new_couple()
    data["ANGGOTA"][1]["STAT_HBKEL"] = 1  # two heads
    future = date.today() + timedelta(days=30)
    baby = member(future, hubungan=4)  # born in the future
    bad_serial = member(date(2001, 2, 3), hubungan=4)
    bad_serial["NIK"] = bad_serial["NIK"][:12] + "0000"
    wrong_sex = member(date(2002, 4, 5), hubungan=4)
    wrong_sex["JENIS_KLMIN"] = 2  # NIK day not + 40
    twin = copy.deepcopy(wrong_sex)
    twin["JENIS_KLMIN"] = 1
    data["ANGGOTA"] += [baby, bad_serial, wrong_sex, twin]
    info = refused(mock_siak, siak, "DATA_TIDAK_VALID", "KK_BARU_MENIKAH", data)
    text = " | ".join(p for _, p in info.masalah)
    assert "tepat satu Kepala Keluarga (ada 2)" in text
    assert "Anggota ke-3: tanggal lahir tidak boleh di masa depan" in text
    assert "Anggota ke-4: nomor urut NIK tidak boleh 0000" in text
    assert "Anggota ke-5: tanggal pada NIK tidak sesuai jenis kelamin" in text
    assert "Anggota ke-6: NIK sama dengan anggota ke-5" in text
    for _, pesan in info.masalah:  # no NIK in any message
        assert not any(m["NIK"] in pesan for m in data["ANGGOTA"])


def test_nik_date_must_match_the_birth_date(mock_siak: MockService, siak: zeep.Client) -> None:
    data = new_couple()
    data["ANGGOTA"][0]["NIK"] = fresh_nik(date(1990, 1, 1), female=False)
    info = refused(mock_siak, siak, "DATA_TIDAK_VALID", "KK_BARU_MENIKAH", data)
    assert info.masalah == [("NIK", "Anggota ke-1: tanggal lahir pada NIK tidak sesuai TGL_LHR.")]


def test_case_rules_for_the_reference_kk(mock_siak: MockService, siak: zeep.Client) -> None:
    no_kk = sample(mock_siak, 1)[0]["NO_KK"]
    refused(mock_siak, siak, "DATA_TIDAK_VALID", "KK_BARU_MENIKAH", new_couple(), no_kk)
    refused(mock_siak, siak, "DATA_TIDAK_VALID", "PERUBAHAN_DATA", new_couple())
    refused(mock_siak, siak, "DATA_TIDAK_VALID", "RUSAK", None, no_kk)


def test_same_request_id_twice_returns_the_first_result(mock_siak: MockService, siak: zeep.Client) -> None:
    crid = new_request_id("idem")
    data = new_couple()
    first = enter(siak, "KK_BARU_MENIKAH", data, crid=crid)
    before = stats(mock_siak)
    again = enter(siak, "KK_BARU_MENIKAH", data, crid=crid)
    assert (again.NO_PERMOHONAN, again.NO_KK) == (first.NO_PERMOHONAN, first.NO_KK)
    assert stats(mock_siak) == before


def test_same_request_id_with_other_data_is_duplikat(mock_siak: MockService, siak: zeep.Client) -> None:
    crid = new_request_id("idem")
    data = new_couple()
    enter(siak, "KK_BARU_MENIKAH", data, crid=crid)
    data["ALAMAT"] = "JL. LAIN NO. 2"
    before = stats(mock_siak)
    info = expect_fault(lambda: enter(siak, "KK_BARU_MENIKAH", data, crid=crid), "DUPLIKAT")
    assert info.masalah[0][0] == "CLIENT_REQUEST_ID"
    assert stats(mock_siak) == before


def raw_post(mock_siak: MockService, body: str) -> requests.Response:
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:siak="urn:siakgate:siak:v1"><soap:Body>' + body + "</soap:Body></soap:Envelope>"
    )
    return requests.post(
        mock_siak.soap_url,
        data=envelope.encode(),
        headers={"Content-Type": "text/xml; charset=utf-8"},
        auth=mock_siak.auth,
        timeout=10,
    )


def test_schema_invalid_request_names_the_element(mock_siak: MockService) -> None:
    before = stats(mock_siak)
    body = (
        "<siak:EntriDataKeluarga><siak:CLIENT_REQUEST_ID>x1</siak:CLIENT_REQUEST_ID>"
        "<siak:JENIS_PERMOHONAN>KK_ASAL</siak:JENIS_PERMOHONAN>"
        "<siak:NO_KK>123</siak:NO_KK></siak:EntriDataKeluarga>"
    )
    with raw_post(mock_siak, body) as response:
        assert response.status_code == 500
        text = response.text
    assert "<siak:KODE>DATA_TIDAK_VALID</siak:KODE>" in text
    assert "<siak:ELEMEN>JENIS_PERMOHONAN</siak:ELEMEN>" in text
    assert "<siak:ELEMEN>NO_KK</siak:ELEMEN>" in text
    assert "<faultcode>soap:Client</faultcode>" in text
    assert stats(mock_siak) == before


def test_unknown_operation_is_refused(mock_siak: MockService) -> None:
    with raw_post(mock_siak, "<siak:HapusSemua/>") as response:
        assert response.status_code == 500
        assert "<siak:KODE>DATA_TIDAK_VALID</siak:KODE>" in response.text


def test_xxe_and_dtd_are_refused(mock_siak: MockService) -> None:
    before = stats(mock_siak)
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:siak="urn:siakgate:siak:v1"><soap:Body><siak:CariKeluarga>'
        "<siak:NO_KK>&xxe;</siak:NO_KK></siak:CariKeluarga></soap:Body></soap:Envelope>"
    )
    with requests.post(mock_siak.soap_url, data=xxe.encode(), auth=mock_siak.auth, timeout=10) as r:
        assert r.status_code == 500
        assert "<siak:KODE>DATA_TIDAK_VALID</siak:KODE>" in r.text
        assert "DTD" in r.text
        assert "root:" not in r.text
    assert stats(mock_siak) == before


def test_not_xml_is_refused(mock_siak: MockService) -> None:
    with requests.post(mock_siak.soap_url, data=b"hello", auth=mock_siak.auth, timeout=10) as r:
        assert r.status_code == 500
        assert "<siak:KODE>DATA_TIDAK_VALID</siak:KODE>" in r.text
