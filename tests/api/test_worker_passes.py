"""While a dependency is down the background loops log one line per failing pass, the traceback only once (and
again when the kind of error changes), and one line when they recover (siakgate.store.passlog)."""

from __future__ import annotations

import logging

import anyio
import pytest

from siakgate.api.metrics import GatewayMetrics
from siakgate.api.runtime import run_worker
from siakgate.errors import ServiceUnavailableError, SiakgateError
from siakgate.store.passlog import PassLog

DOWN = ServiceUnavailableError(
    "Basis data tidak tersedia atau sedang sibuk; silakan coba lagi.", code="BASIS_DATA_TIDAK_TERSEDIA"
)


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "test.passes"]


def test_one_line_per_failing_pass_and_one_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="test.passes")
    passes = PassLog(logging.getLogger("test.passes"), "pekerja alur kerja")
    for _ in range(5):
        passes.failed(DOWN)
    lines = records(caplog)
    assert len(lines) == 5
    assert [r.exc_info is not None for r in lines] == [True, False, False, False, False]
    assert "ServiceUnavailableError: Basis data tidak tersedia" in lines[0].getMessage()
    assert "(5 kali berturut-turut)" in lines[-1].getMessage()
    assert all("Traceback" not in r.getMessage() for r in lines)


def test_a_new_kind_of_error_gets_its_traceback_and_recovery_is_said_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="test.passes")
    passes = PassLog(logging.getLogger("test.passes"), "replikasi arsip")
    passes.failed(DOWN)
    passes.failed(DOWN)
    passes.failed(SiakgateError("SIAK menolak", code="SIAK_DITOLAK"))
    passes.succeeded()
    passes.succeeded()
    passes.failed(DOWN)  # down again after recovering: a new episode, its traceback again
    lines = records(caplog)
    assert [r.exc_info is not None for r in lines] == [True, False, True, False, True]
    assert lines[3].getMessage() == "Putaran replikasi arsip pulih setelah 3 putaran gagal"


def test_the_workers_loop_logs_a_failing_pass_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """run_worker with a workflow whose database is down for three passes, then back."""

    class Workflow:
        def __init__(self) -> None:
            self.calls = 0
            self.done = anyio.Event()

        async def run_pending(self) -> int:
            self.calls += 1
            if self.calls <= 3:
                raise DOWN
            self.done.set()
            return 0

    workflow = Workflow()
    metrics = GatewayMetrics()
    caplog.set_level(logging.INFO, logger="siakgate.api")

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(run_worker, workflow, 0.001, metrics)
            await workflow.done.wait()
            group.cancel_scope.cancel()

    anyio.run(main)
    lines = [r for r in caplog.records if r.name == "siakgate.api"]
    assert [r.levelname for r in lines] == ["ERROR", "WARNING", "WARNING", "WARNING"]
    assert sum(r.exc_info is not None for r in lines) == 1
    assert "Putaran pekerja alur kerja gagal" in lines[0].getMessage()
    assert lines[-1].getMessage() == "Putaran pekerja alur kerja pulih setelah 3 putaran gagal"
    assert metrics.worker_errors._value.get() == 3
