"""Retries: transient failures only, within attempts and deadline, never entering or changing anything twice."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from siak_client_kit import (
    FAST,
    Counter,
    LoseAnswers,
    certified,
    entered,
    new_couple,
    request_id,
    sample,
    stats,
    verified,
)

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.domain import CaseType
from siakgate.errors import (
    MalformedResponseError,
    ServiceTimeoutError,
    ServiceUnavailableError,
    SiakStateError,
)
from siakgate.siak import Decision, PrintStatus, RequestStatus, RetryPolicy, SiakClient

pytestmark = pytest.mark.anyio

Sign = Callable[[bytes], Awaitable[bytes]]


@pytest.fixture
def nik(mock_siak: MockService) -> str:
    return str(sample(mock_siak)[0]["NIK"][0])


@pytest.mark.parametrize("kind", ["http_5xx", "fault", "drop", "malformed"])
async def test_one_transient_failure_is_retried(
    siak: SiakClient, mock_siak_faults: FaultInjector, counter: Counter, nik: str, kind: str
) -> None:
    mock_siak_faults.configure(FaultConfig(script=[kind, "ok"]))
    assert (await siak.lookup_person(nik)).person.nik == nik
    assert counter.posts == 2


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("http_5xx", ServiceUnavailableError),
        ("fault", ServiceUnavailableError),
        ("drop", ServiceUnavailableError),
        ("malformed", MalformedResponseError),
    ],
)
async def test_persistent_failure_gives_up_after_the_attempts(
    siak: SiakClient, mock_siak_faults: FaultInjector, counter: Counter, nik: str, kind: str, error: type[Exception]
) -> None:
    mock_siak_faults.configure(FaultConfig(script=[kind] * 10))
    with pytest.raises(error) as excinfo:
        await siak.lookup_person(nik)
    assert excinfo.value.__cause__ is not None
    assert counter.posts == FAST.attempts


async def test_persistent_503_gives_up_at_the_deadline(
    mock_siak: MockService, mock_siak_faults: FaultInjector, http: httpx.AsyncClient, counter: Counter, nik: str
) -> None:
    mock_siak_faults.configure(FaultConfig(http_5xx_rate=1.0))
    policy = RetryPolicy(attempts=1000, initial_wait=0.05, max_wait=0.05, deadline=0.4)
    siak = SiakClient(
        mock_siak.soap_url, username=mock_siak.username, password=mock_siak.password, http=http, retry=policy
    )
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError):
        await siak.lookup_person(nik)
    assert time.monotonic() - started < 2
    assert 2 <= counter.posts < 20


async def test_timeout(mock_siak: MockService, mock_siak_faults: FaultInjector, counter: Counter, nik: str) -> None:
    mock_siak_faults.configure(FaultConfig(latency_ms=400))
    async with httpx.AsyncClient(timeout=0.1, event_hooks={"request": [counter]}) as http:
        siak = SiakClient(
            mock_siak.soap_url, username=mock_siak.username, password=mock_siak.password, http=http, retry=FAST
        )
        with pytest.raises(ServiceTimeoutError):
            await siak.lookup_person(nik)
    assert counter.posts == FAST.attempts


async def test_connection_refused_is_retried_then_unavailable(counter: Counter) -> None:
    async with httpx.AsyncClient(timeout=5, event_hooks={"request": [counter]}) as http:
        siak = SiakClient("http://127.0.0.1:9/siak", username="u", password="p", http=http, retry=FAST)
        with pytest.raises(ServiceUnavailableError) as excinfo:
            await siak.get_draft("KK20990101999999")
    assert isinstance(excinfo.value.__cause__, httpx.ConnectError)
    assert counter.posts == FAST.attempts


# -- data entry: only ever with the same CLIENT_REQUEST_ID -----------------------------------------------


async def test_repeating_an_entry_returns_the_first_request(siak: SiakClient, mock_siak: MockService) -> None:
    crid, family = request_id(), new_couple()
    first = await siak.enter_family(crid, CaseType.KK_BARU_MENIKAH, family)
    before = stats(mock_siak)
    again = await siak.enter_family(crid, CaseType.KK_BARU_MENIKAH, family)
    assert again == first
    assert stats(mock_siak) == before


async def test_entry_retried_after_503_enters_once(
    siak: SiakClient, mock_siak: MockService, mock_siak_faults: FaultInjector, counter: Counter
) -> None:
    before = stats(mock_siak)
    mock_siak_faults.configure(FaultConfig(script=["http_5xx", "drop"]))
    entry = await siak.enter_family(request_id(), CaseType.KK_BARU_MENIKAH, new_couple())
    assert counter.posts == 3
    after = stats(mock_siak)
    assert (after["families"], after["requests"]) == (before["families"] + 1, before["requests"] + 1)
    assert (await siak.get_draft(entry.no_permohonan)).status is RequestStatus.DRAFT


def lossy_client(
    mock_siak: MockService, transport: LoseAnswers, counter: Counter
) -> tuple[SiakClient, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=transport, timeout=30, event_hooks={"request": [counter]})
    siak = SiakClient(
        mock_siak.soap_url, username=mock_siak.username, password=mock_siak.password, http=http, retry=FAST
    )
    return siak, http


async def test_entry_answer_lost_after_commit_enters_once(mock_siak: MockService, counter: Counter) -> None:
    before = stats(mock_siak)
    siak, http = lossy_client(mock_siak, LoseAnswers(times=1), counter)
    async with http:
        entry = await siak.enter_family(request_id(), CaseType.KK_BARU_MENIKAH, new_couple())
    assert counter.posts == 2  # SIAK saw the entry twice ...
    after = stats(mock_siak)  # ... and entered it once
    assert (after["families"], after["requests"]) == (before["families"] + 1, before["requests"] + 1)
    assert entry.status is RequestStatus.DRAFT


# -- state changes ------------------------------------------------------------------------------------


async def test_transition_whose_answer_was_lost_succeeds_once(
    siak: SiakClient, mock_siak: MockService, counter: Counter
) -> None:
    entry = await entered(siak)
    lossy, http = lossy_client(mock_siak, LoseAnswers(times=1), counter)
    async with http:
        posts = counter.posts
        change = await lossy.request_certification(entry.no_permohonan)
        assert change.status is RequestStatus.DIAJUKAN
        # attempt 1 (applied, answer lost), attempt 2 (STATUS_TIDAK_SESUAI), then one read to check
        assert counter.posts - posts == 3
        decision = await lossy.record_verification(entry.no_permohonan, Decision.SETUJU, verifier_id="v-01")
        assert decision.status is RequestStatus.DIVERIFIKASI


async def test_verification_lost_then_other_state_is_still_an_error(siak: SiakClient, mock_siak: MockService) -> None:
    """A STATUS_TIDAK_SESUAI after a lost answer is success only if the status is the one asked for."""
    entry = await entered(siak)
    await siak.request_certification(entry.no_permohonan)
    await siak.record_verification(entry.no_permohonan, Decision.SETUJU, verifier_id="v-01")
    lossy, http = lossy_client(mock_siak, LoseAnswers(times=1), Counter())
    async with http:
        with pytest.raises(SiakStateError):  # lost answer to a refusal, then refused again: DIVERIFIKASI != DITOLAK
            await lossy.record_verification(entry.no_permohonan, Decision.TOLAK, verifier_id="v-01", reason="Tidak")


async def test_upload_whose_answer_was_lost_succeeds_once(
    siak: SiakClient, mock_siak: MockService, sign_pdf: Sign
) -> None:
    entry = await verified(siak)
    signed = await sign_pdf((await siak.get_draft(entry.no_permohonan)).draft_pdf)
    before = stats(mock_siak)
    lossy, http = lossy_client(mock_siak, LoseAnswers(times=1), Counter())
    async with http:
        upload = await lossy.upload_signed(entry.no_permohonan, signed)
    assert upload.status is RequestStatus.TERSERTIFIKASI
    assert upload.certified_at.tzinfo is not None
    assert stats(mock_siak)["signed"] == before["signed"] + 1


async def test_state_error_on_first_attempt_is_not_reconciled(
    siak: SiakClient, sign_pdf: Sign, counter: Counter
) -> None:
    entry, signed = await certified(siak, sign_pdf)
    posts = counter.posts
    with pytest.raises(SiakStateError):  # already TERSERTIFIKASI: a plain refusal, no read-back
        await siak.upload_signed(entry.no_permohonan, signed)
    assert counter.posts == posts + 1


async def test_print_mark_whose_answer_was_lost_counts_once(
    siak: SiakClient, mock_siak: MockService, sign_pdf: Sign
) -> None:
    entry, _ = await certified(siak, sign_pdf)
    lossy, http = lossy_client(mock_siak, LoseAnswers(times=1), Counter())
    async with http:
        mark = await lossy.mark_printed(entry.no_permohonan)
    assert (mark.status, mark.print_count) == (RequestStatus.TERCETAK, 1)


async def test_reprint_is_not_retried_when_it_may_have_counted(
    siak: SiakClient, mock_siak: MockService, sign_pdf: Sign
) -> None:
    entry, _ = await certified(siak, sign_pdf)
    await siak.mark_printed(entry.no_permohonan)
    counter = Counter()
    lossy, http = lossy_client(mock_siak, LoseAnswers(times=1), counter)
    async with http:
        with pytest.raises(ServiceUnavailableError):
            await lossy.mark_printed(entry.no_permohonan, reprint=True)
    assert counter.posts == 1
    printed = await siak.print_list(region="32", print_status=PrintStatus.SUDAH_DICETAK)
    assert [e.print_count for e in printed if e.no_permohonan == entry.no_permohonan] == [2]


async def test_reprint_is_retried_when_siak_surely_did_nothing(
    siak: SiakClient, mock_siak_faults: FaultInjector, counter: Counter, sign_pdf: Sign
) -> None:
    entry, _ = await certified(siak, sign_pdf)
    await siak.mark_printed(entry.no_permohonan)
    posts = counter.posts
    mock_siak_faults.configure(FaultConfig(script=["http_5xx", "fault", "ok"]))
    mark = await siak.mark_printed(entry.no_permohonan, reprint=True)
    assert mark.print_count == 2
    assert counter.posts - posts == 3
