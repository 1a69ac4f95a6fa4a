"""Fixtures for the signing tests: KK drafts, trust roots, a SoftHSM2 token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from signing_kit import SoftHsmToken, draft_kk, shared_softhsm_token, softhsm_available


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def kk_pdf() -> bytes:
    return draft_kk(0)


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    """One token per test session: SoftHSM reads SOFTHSM2_CONF once per process, at C_Initialize."""
    problem = softhsm_available()
    if problem is not None:
        pytest.skip(problem)
    token = shared_softhsm_token(tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(token.conf))
        yield token
