"""Many documents through one Verifier: the shared roots, parsed DSS objects and fetchers change no verdict."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
import verify_kit as kit
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers

from siakgate.errors import VerificationError
from siakgate.signing.api import PadesLevel
from siakgate.verify import Indication, RevocationStatus, VerificationReport, Verifier

ROOTS = [kit.ROOT_DER]


class CountingBackend(FetcherBackend):
    """pyHanko's aiohttp backend, remembering every set of fetchers it handed out."""

    def __init__(self) -> None:
        self.inner = AIOHttpFetcherBackend(per_request_timeout=10)
        self.handed_out: list[Fetchers] = []

    def get_fetchers(self) -> Fetchers:
        fetchers = self.inner.get_fetchers()
        self.handed_out.append(fetchers)
        return fetchers

    async def close(self) -> None:
        await self.inner.close()


def verify_all(pdfs: list[bytes], **options: Any) -> list[VerificationReport]:
    async def run() -> list[VerificationReport]:
        async with Verifier(trust_roots=ROOTS, **options) as verifier:
            return [await verifier.verify(pdf, document_name=f"kk-{i}.pdf") for i, pdf in enumerate(pdfs)]

    return anyio.run(run)


@pytest.fixture(scope="module")
def revoked_pdf(tsa_url: str) -> bytes:
    return kit.sign(kit.make_pdf("KK DICABUT"), signer=kit.signer_for("signer-revoked"))


@pytest.mark.parametrize("fetch", [False, True])
def test_a_tampered_document_between_good_ones(signed, fetch: bool) -> None:
    good = signed("B-LT")
    reports = verify_all([good, kit.flip_signed_byte(good), good], allow_fetching=fetch)
    assert [r.valid for r in reports] == [True, False, True]
    assert [r.indication for r in reports] == [Indication.VALID, Indication.INVALID, Indication.VALID]
    assert not reports[1].signatures[0].intact
    assert [r.signatures[0].level for r in reports] == [PadesLevel.B_LT, None, PadesLevel.B_LT]
    assert [r.document_name for r in reports] == ["kk-0.pdf", "kk-1.pdf", "kk-2.pdf"]


def test_a_revoked_signer_after_and_before_a_good_one(signed, revoked_pdf: bytes) -> None:
    good = signed("B-LT")
    for order in ([good, revoked_pdf], [revoked_pdf, good]):
        reports = verify_all(order)
        for pdf, report in zip(order, reports, strict=True):
            status = report.signatures[0].revocation.status
            if pdf is good:
                assert report.valid
                assert status is RevocationStatus.GOOD
            else:
                assert not report.valid
                assert report.indication is Indication.INVALID
                assert status is RevocationStatus.REVOKED


def test_a_b_lt_document_is_not_b_lt_thanks_to_another_documents_dss(signed) -> None:
    """Offline, a B-T document after a B-LT one stays B-T: the first one's DSS is not the second one's."""
    reports = verify_all([signed("B-LT"), signed("B-T"), signed("B-LT")], allow_fetching=False)
    assert [r.signatures[0].level for r in reports] == [PadesLevel.B_LT, PadesLevel.B_T, PadesLevel.B_LT]
    assert reports[1].signatures[0].revocation.status is RevocationStatus.UNKNOWN


def test_revocation_is_fetched_once_per_run(signed) -> None:
    backend = CountingBackend()
    pdfs = [signed("B-T")] * 3  # no DSS: every document needs the signer's OCSP/CRL from the network

    async def run() -> list[VerificationReport]:
        try:
            async with Verifier(trust_roots=ROOTS, fetcher_backend=backend) as verifier:
                reports = []
                for pdf in pdfs:
                    reports.append(await verifier.verify(pdf))
                    fetched = backend.handed_out[0].ocsp_fetcher.fetched_responses()
                    reports_fetched.append(len(list(fetched)))
                return reports
        finally:
            await backend.close()

    reports_fetched: list[int] = []
    reports = anyio.run(run)
    assert all(r.valid for r in reports)
    assert all(r.signatures[0].revocation.status is RevocationStatus.GOOD for r in reports)
    assert len(backend.handed_out) == 1
    assert reports_fetched[0] >= 1
    assert reports_fetched == [reports_fetched[0]] * 3  # nothing fetched again for the 2nd and 3rd document


def test_an_unreadable_document_does_not_end_the_run(signed) -> None:
    good = signed("B-B")

    async def run() -> tuple[VerificationReport, VerificationReport]:
        async with Verifier(trust_roots=ROOTS, allow_fetching=False) as verifier:
            first = await verifier.verify(good)
            with pytest.raises(VerificationError):
                await verifier.verify(b"ini bukan PDF")
            return first, await verifier.verify(good)

    assert all(report.valid for report in anyio.run(run))


def test_at_must_be_timezone_aware() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        Verifier(trust_roots=ROOTS, at=datetime(2026, 1, 1))
