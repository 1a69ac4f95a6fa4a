"""Signed test documents, made once per session (signing at B-LT/B-LTA fetches from mock BSrE on :8082)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import verify_kit as pdfkit


@pytest.fixture(scope="session")
def tsa_url(mock_bsre_aia) -> str:
    return f"{mock_bsre_aia.url}/pki/tsa"


@pytest.fixture(scope="session")
def signed(tsa_url: str) -> Callable[[str], bytes]:
    """``signed("B-LT")`` etc.: a small PDF (with an empty text field) signed by kepala-dinas at that level."""
    cache: dict[str, bytes] = {}
    base = pdfkit.make_pdf(with_field=True)

    def get(level: str) -> bytes:
        if level not in cache:
            cache[level] = pdfkit.sign(base, level=level, tsa_url=tsa_url)
        return cache[level]

    return get
