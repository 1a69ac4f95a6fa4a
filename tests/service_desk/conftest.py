"""An app on each database with mock SIAK and mock BSrE, a pinned clock (``desk.clock``), tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from desk_kit import Clock, DeskApi, serve_with_clock

from mock_common.pytest_plugin import MockService
from siakgate.config import Settings


@pytest.fixture
def desk_settings(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Settings:
    from api_kit import gateway_settings

    return gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia)


@pytest.fixture
def clock() -> Clock:
    # Monday 2025-12-22 09:00 WIB.
    return Clock(datetime(2025, 12, 22, 2, 0, tzinfo=UTC))


@pytest.fixture
def desk(desk_settings: Settings, clock: Clock) -> Iterator[DeskApi]:
    with serve_with_clock(desk_settings, clock) as api:
        yield api
