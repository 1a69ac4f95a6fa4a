"""Helpers for the SIAK client tests: request counting, mock stats, fresh families, faulty transports."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import family_kit
import httpx

from mock_common.pytest_plugin import MockService
from siakgate.domain import (
    CaseType,
    KartuKeluarga,
)
from siakgate.siak import Decision, EntryResult, RetryPolicy, SiakClient

FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.005, deadline=10)

# Distinctive names, so a test can prove they never reach the logs.
HUSBAND_NAME = "RAHMAT SUAMIUJI"
WIFE_NAME = "DEWI ISTRIUJI"
PARENT_NAMES = family_kit.PARENT_NAMES


class Counter:
    """An httpx request hook counting the SOAP POSTs a client sends."""

    def __init__(self) -> None:
        self.posts = 0

    async def __call__(self, request: httpx.Request) -> None:
        if request.method == "POST":
            self.posts += 1


stats = family_kit.mock_siak_stats


def sample(service: MockService, n: int = 1) -> list[dict[str, Any]]:
    response = httpx.get(f"{service.url}/_admin/sample", params={"n": n}, timeout=10)
    response.raise_for_status()
    families: list[dict[str, Any]] = response.json()["families"]
    return families


_serials = itertools.count(7001)  # tests/mock_siak count from 9001; the generator from 0001


def new_couple() -> KartuKeluarga:
    """A newly married couple with fresh NIKs (KK_BARU_MENIKAH): SIAK assigns the No. KK."""
    return family_kit.new_couple(HUSBAND_NAME, WIFE_NAME, _serials)


class LoseAnswers(httpx.AsyncBaseTransport):
    """Deliver the request, let SIAK carry it out, then lose the answer (the connection "drops").

    The mock's fault injector drops *before* the app runs; this transport drops *after*, which is the
    case that makes retrying a state change dangerous. The first ``times`` SOAP POSTs are lost.
    """

    def __init__(self, times: int = 1) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.remaining = times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and self.remaining > 0:
            self.remaining -= 1
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("connection lost after the request was carried out", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


_ids = itertools.count(1)


def request_id(prefix: str = "siakclient") -> str:
    return f"{prefix}-{next(_ids)}"


async def entered(siak: SiakClient) -> EntryResult:
    """A fresh KK_BARU_MENIKAH request (status DRAFT)."""
    return await siak.enter_family(request_id(), CaseType.KK_BARU_MENIKAH, new_couple(), officer="petugas-01")


async def verified(siak: SiakClient) -> EntryResult:
    """A fresh request brought to DIVERIFIKASI."""
    entry = await entered(siak)
    await siak.request_certification(entry.no_permohonan)
    await siak.record_verification(entry.no_permohonan, Decision.SETUJU, verifier_id="verifikator-01")
    return entry


async def certified(siak: SiakClient, sign: Callable[[bytes], Awaitable[bytes]]) -> tuple[EntryResult, bytes]:
    """A fresh request brought to TERSERTIFIKASI; with the signed PDF uploaded."""
    entry = await verified(siak)
    signed = await sign((await siak.get_draft(entry.no_permohonan)).draft_pdf)
    await siak.upload_signed(entry.no_permohonan, signed)
    return entry, signed
