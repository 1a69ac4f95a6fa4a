"""A whole cycle, logged at DEBUG everywhere, leaks no NIK, No. KK, name or password."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest
from siak_client_kit import HUSBAND_NAME, PARENT_NAMES, WIFE_NAME, new_couple, request_id

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.domain import CaseType, mask_nik
from siakgate.errors import SiakNotFoundError
from siakgate.siak import Decision, SiakClient

pytestmark = pytest.mark.anyio


async def test_full_cycle_logs_nothing_personal(
    siak: SiakClient,
    mock_siak: MockService,
    mock_siak_faults: FaultInjector,
    caplog: pytest.LogCaptureFixture,
    sign_pdf: Callable[[bytes], Awaitable[bytes]],
) -> None:
    caplog.set_level(logging.DEBUG)
    family = new_couple()
    niks = [m.nik for m in family.members]
    mock_siak_faults.configure(FaultConfig(script=["drop", "ok", "fault", "ok", "malformed"]))

    entry = await siak.enter_family(request_id(), CaseType.KK_BARU_MENIKAH, family, officer="petugas-01")
    person = await siak.lookup_person(niks[0])
    await siak.check_person(niks[1], full_name=WIFE_NAME, birth_date=family.members[1].birth_date)
    await siak.get_family(entry.no_kk)
    with pytest.raises(SiakNotFoundError):
        await siak.lookup_person(niks[0][:-4] + "9998")
    draft = await siak.get_draft(entry.no_permohonan)
    await siak.request_certification(entry.no_permohonan)
    await siak.record_verification(entry.no_permohonan, Decision.SETUJU, verifier_id="verifikator-01")
    await siak.upload_signed(entry.no_permohonan, await sign_pdf(draft.draft_pdf))
    await siak.print_list(region="3204")
    await siak.mark_printed(entry.no_permohonan)

    text = caplog.text
    secrets = [*niks, entry.no_kk, person.no_kk, HUSBAND_NAME, WIFE_NAME, *PARENT_NAMES, mock_siak.password]
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    assert mask_nik(niks[0]) in text  # the masked form is what we log
    siak_lines = [r.getMessage() for r in caplog.records if r.name == "siakgate.siak"]
    assert any("attempt=2" in line for line in siak_lines)  # retried faults show up with their codes
    assert any("outcome=LAYANAN_TIDAK_TERSEDIA" in line for line in siak_lines)
    assert any("outcome=NIK_TIDAK_DITEMUKAN" in line for line in siak_lines)
    assert any(line.startswith("siak TandaiTercetak") and "ms=" in line for line in siak_lines)
