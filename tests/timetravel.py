"""Run the whole test session at another date: ``pytest -p tests.timetravel --travel-days=400``.

Without ``--travel-days`` this plugin does nothing. With it, :func:`pytest_configure` starts
``time_machine.travel(now + N days, tick=True)`` before anything is collected, so every reading of the wall
clock in this process (``datetime.now``, ``date.today``, ``time.time``; the mocks' server threads too) is N days
ahead and keeps running; ``time.monotonic`` and ``time.sleep`` are untouched. The travel stops at unconfigure.

Python subprocesses the tests start (the gateway, the notification worker, ``scripts/run.py``, the CLI) are
moved by the same offset: the plugin puts ``tests/timetravel_site`` (a ``sitecustomize``) on ``PYTHONPATH`` and
the offset in ``TIMETRAVEL_SECONDS`` (no ``SIAKGATE_`` prefix: the e2e tests drop those), and that
``sitecustomize`` starts the same travel in the child. A child started with an environment built from scratch
(``siakgate tokens`` in tests/api/test_auth.py, ``siakgate serve`` refusing a profile in test_cli_gateway.py)
keeps the real date; neither compares its times with the session's. Programs that are not Python (pdfsig,
certutil, softhsm2-util, PostgreSQL's ``now()``, SQLite's ``CURRENT_TIMESTAMP``) keep the real date: the travel
run is SQLite-only and without the ``pdfsig``/``browser`` tests (``make test-future``). A mock BSrE already
listening on 127.0.0.1:8082 outside the session is refused when its clock differs (mock_common.pytest_plugin).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

OFFSET_VAR = "TIMETRAVEL_SECONDS"
SITE_DIR = Path(__file__).parent / "timetravel_site"
_KEY = pytest.StashKey["tuple[object, dict[str, str | None]]"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--travel-days",
        type=float,
        default=None,
        metavar="N",
        help="run the whole session N days from now (time-machine, ticking); Python subprocesses follow",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    days = config.getoption("travel_days")
    if days is None:
        return
    import time_machine

    offset = timedelta(days=days)
    saved = {name: os.environ.get(name) for name in ("PYTHONPATH", OFFSET_VAR)}
    traveller = time_machine.travel(datetime.now(UTC) + offset, tick=True)
    traveller.start()
    time.time()  # a ticking travel starts ticking at its first reading: read now, or this clock lags the children's
    os.environ[OFFSET_VAR] = repr(offset.total_seconds())
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE_DIR), saved["PYTHONPATH"]]))
    config.stash[_KEY] = (traveller, saved)


def pytest_report_header(config: pytest.Config) -> str | None:
    if _KEY not in config.stash:
        return None
    return f"time travel: +{config.getoption('travel_days'):g} days, now {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _KEY not in config.stash:
        return
    traveller, saved = config.stash[_KEY]
    traveller.stop()  # type: ignore[attr-defined]
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    del config.stash[_KEY]
