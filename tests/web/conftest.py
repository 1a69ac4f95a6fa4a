"""A gateway with the workstation on each database (the root conftest's ``database_url``) and the mocks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_kit import Web, serve_web

from mock_common.pytest_plugin import MockService


@pytest.fixture
def web(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Iterator[Web]:
    from api_kit import gateway_settings

    settings = gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia)
    with serve_web(settings) as running:
        yield running
