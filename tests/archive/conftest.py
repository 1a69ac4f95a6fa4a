"""A gateway on each database (SQLite and PostgreSQL) with the mocks, as in tests/api, plus an ADMIN token."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_kit import ALL_ROLES, Api, gateway_settings, running_api

from mock_common.pytest_plugin import MockService


@pytest.fixture
def api(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Iterator[Api]:
    settings = gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia)
    with running_api(settings) as api:
        yield api


@pytest.fixture
def admin(api: Api) -> dict[str, str]:
    return api.token(*ALL_ROLES, "ADMIN", name="admin")
