"""Every operation's happy path against the real mock SIAK, returning domain types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

import pytest
from siak_client_kit import (
    HUSBAND_NAME,
    Counter,
    certified,
    entered,
    new_couple,
    request_id,
    sample,
    stats,
    verified,
)

from mock_common.pytest_plugin import MockService
from siakgate.domain import CaseType, KartuKeluarga, Member, StatusHubungan
from siakgate.errors import InvalidDataError, SiakInvalidDataError, SiakStateError
from siakgate.siak import (
    CheckOutcome,
    Decision,
    Draft,
    PrintStatus,
    RequestStatus,
    SiakClient,
)

pytestmark = pytest.mark.anyio


async def test_lookup_person(siak: SiakClient, mock_siak: MockService) -> None:
    family = sample(mock_siak)[0]
    record = await siak.lookup_person(family["NIK"][0])
    assert isinstance(record.person, Member)
    assert record.person.nik == family["NIK"][0]
    assert record.no_kk == family["NO_KK"]
    assert family["NIK"][0] not in repr(record)


async def test_get_family(siak: SiakClient, mock_siak: MockService) -> None:
    family = sample(mock_siak)[0]
    kk = await siak.get_family(family["NO_KK"])
    assert isinstance(kk, KartuKeluarga)
    assert kk.no_kk == family["NO_KK"]
    assert [m.nik for m in kk.members] == family["NIK"]
    head = next(m for m in kk.members if m.relationship is StatusHubungan.KEPALA_KELUARGA)
    assert kk.head_name == head.full_name


async def test_check_person_agrees_and_disagrees(siak: SiakClient, mock_siak: MockService) -> None:
    nik = sample(mock_siak)[0]["NIK"][0]
    person = (await siak.lookup_person(nik)).person
    same = await siak.check_person(
        nik, full_name=person.full_name.lower(), sex=person.sex, birth_date=person.birth_date
    )
    assert same.outcome is CheckOutcome.SESUAI
    assert same.matches
    assert same.mismatched == ()
    other = await siak.check_person(
        nik, full_name="NAMA LAIN SAMA SEKALI", birth_place=person.birth_place, mother_name="IBU LAIN"
    )
    assert other.outcome is CheckOutcome.TIDAK_SESUAI
    assert not other.matches
    assert other.mismatched == ("full_name", "mother_name")


async def test_check_person_needs_some_data_and_sends_nothing_without(siak: SiakClient, counter: Counter) -> None:
    with pytest.raises(InvalidDataError) as excinfo:
        await siak.check_person("3204151403950001")
    assert excinfo.value.issue_codes == ["DATA_CEK_KOSONG"]
    assert counter.posts == 0


async def test_full_signing_flow(
    siak: SiakClient, mock_siak: MockService, sign_pdf: Callable[[bytes], Awaitable[bytes]]
) -> None:
    before = stats(mock_siak)
    family = new_couple()
    entry = await siak.enter_family(request_id(), CaseType.KK_BARU_MENIKAH, family, officer="petugas-01")
    assert entry.status is RequestStatus.DRAFT
    assert entry.no_permohonan.startswith("KK")
    after = stats(mock_siak)
    assert (after["families"], after["requests"]) == (before["families"] + 1, before["requests"] + 1)

    draft = await siak.get_draft(entry.no_permohonan)
    assert isinstance(draft, Draft)
    assert (draft.status, draft.case_type, draft.signed_pdf) == (RequestStatus.DRAFT, CaseType.KK_BARU_MENIKAH, None)
    assert draft.draft_pdf.startswith(b"%PDF-")
    assert draft.family.no_kk == entry.no_kk
    assert draft.family.head_name == HUSBAND_NAME
    assert [m.nik for m in draft.family.members] == [m.nik for m in family.members]
    assert isinstance(draft.entered_on, date)

    change = await siak.request_certification(entry.no_permohonan, officer="petugas-01")
    assert change.status is RequestStatus.DIAJUKAN
    change = await siak.record_verification(entry.no_permohonan, Decision.SETUJU, verifier_id="verifikator-01")
    assert change.status is RequestStatus.DIVERIFIKASI

    signed = await sign_pdf(draft.draft_pdf)
    upload = await siak.upload_signed(entry.no_permohonan, signed)
    assert upload.status is RequestStatus.TERSERTIFIKASI
    assert isinstance(upload.certified_at, datetime)
    assert upload.certified_at.tzinfo is not None
    assert (await siak.get_draft(entry.no_permohonan)).signed_pdf == signed

    day = upload.certified_at.date()
    listed = await siak.print_list(start=day, end=day, region="3204152006", print_status=PrintStatus.BELUM_DICETAK)
    mine = [e for e in listed if e.no_permohonan == entry.no_permohonan]
    assert len(mine) == 1
    assert (mine[0].no_kk, mine[0].head_name, mine[0].print_count) == (entry.no_kk, HUSBAND_NAME, 0)
    assert (mine[0].province_code, mine[0].regency_code, mine[0].district_code, mine[0].village_code) == (
        "32",
        "04",
        "15",
        "2006",
    )

    mark = await siak.mark_printed(entry.no_permohonan, officer="petugas-01")
    assert (mark.status, mark.print_count) == (RequestStatus.TERCETAK, 1)
    with pytest.raises(SiakStateError):
        await siak.mark_printed(entry.no_permohonan)
    again = await siak.mark_printed(entry.no_permohonan, reprint=True)
    assert again.print_count == 2
    printed = await siak.print_list(region="32", print_status=PrintStatus.SUDAH_DICETAK)
    assert [(e.print_status, e.print_count) for e in printed if e.no_permohonan == entry.no_permohonan] == [
        (PrintStatus.SUDAH_DICETAK, 2)
    ]
    assert stats(mock_siak)["signed"] == before["signed"] + 1


async def test_reject_with_reason(siak: SiakClient) -> None:
    entry = await entered(siak)
    await siak.request_certification(entry.no_permohonan)
    change = await siak.record_verification(
        entry.no_permohonan, Decision.TOLAK, verifier_id="verifikator-01", reason="Dokumen pendukung kurang"
    )
    assert change.status is RequestStatus.DITOLAK


async def test_reject_without_reason_is_refused_and_changes_nothing(siak: SiakClient) -> None:
    entry = await entered(siak)
    await siak.request_certification(entry.no_permohonan)
    with pytest.raises(SiakInvalidDataError) as excinfo:
        await siak.record_verification(entry.no_permohonan, Decision.TOLAK, verifier_id="verifikator-01")
    assert [issue.path for issue in excinfo.value.issues] == ["ALASAN"]
    assert (await siak.get_draft(entry.no_permohonan)).status is RequestStatus.DIAJUKAN


async def test_existing_family_resubmitted_and_lost_kk(siak: SiakClient, mock_siak: MockService) -> None:
    no_kk = sample(mock_siak, 3)[2]["NO_KK"]
    kk = await siak.get_family(no_kk)
    before = stats(mock_siak)
    damaged = await siak.enter_family(request_id(), CaseType.RUSAK, kk, no_kk=no_kk)
    lost = await siak.enter_family(request_id(), CaseType.HILANG, None, no_kk=no_kk)
    assert damaged.no_kk == lost.no_kk == no_kk
    after = stats(mock_siak)
    assert (after["families"], after["requests"]) == (before["families"], before["requests"] + 2)
    draft = await siak.get_draft(lost.no_permohonan)
    assert [m.nik for m in draft.family.members] == [m.nik for m in kk.members]


@pytest.mark.parametrize("region", ["3", "320", "32041", "3204152", "32041520061", "32AB"])
async def test_print_list_refuses_a_bad_region_prefix(siak: SiakClient, counter: Counter, region: str) -> None:
    with pytest.raises(InvalidDataError) as excinfo:
        await siak.print_list(region=region)
    assert excinfo.value.issue_codes == ["WILAYAH_TIDAK_VALID"]
    assert counter.posts == 0


async def test_print_list_filters_by_region(siak: SiakClient, sign_pdf: Callable[[bytes], Awaitable[bytes]]) -> None:
    entry, _ = await certified(siak, sign_pdf)
    assert entry.no_permohonan in {e.no_permohonan for e in await siak.print_list(region="3204")}
    assert entry.no_permohonan not in {e.no_permohonan for e in await siak.print_list(region="3508")}


async def test_verified_helper_reaches_diverifikasi(siak: SiakClient) -> None:
    entry = await verified(siak)
    assert (await siak.get_draft(entry.no_permohonan)).status is RequestStatus.DIVERIFIKASI
