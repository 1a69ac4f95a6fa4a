"""An app on each database (the root conftest's ``database_url``) with mock SIAK and mock BSrE, and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_kit import ALL_ROLES, Api, gateway_settings, running_api

from mock_common.pytest_plugin import MockService
from siakgate.config import Settings


@pytest.fixture
def api_settings(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Settings:
    return gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia)


@pytest.fixture
def api(api_settings: Settings) -> Iterator[Api]:
    with running_api(api_settings) as api:
        yield api


@pytest.fixture
def admin(api: Api) -> dict[str, str]:
    """A token with every role (as make run's demo token)."""
    return api.token(*ALL_ROLES, "ADMIN", name="admin")
