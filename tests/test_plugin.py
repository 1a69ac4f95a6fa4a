"""The mocks' pytest plugin is registered as an entry point, so another project's suite gets the fixtures."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest


def test_plugin_is_registered_as_pytest11_entry_point() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("siakgate_mocks") == "mock_common.pytest_plugin"


def test_plugin_fixtures_are_visible(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    assert manager.has_plugin("siakgate_mocks")
    plugin = manager.get_plugin("siakgate_mocks")
    names = {name for name in dir(plugin) if not name.startswith("_")}
    assert {"mock_siak", "mock_bsre", "mock_bsre_aia", "mock_siak_faults", "mock_bsre_faults"} <= names
