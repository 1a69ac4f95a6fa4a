"""Signing batches running in the background, one task per batch, so the page can show progress.

Signing N KKs takes a while (BSrE, timestamps, revocation data), longer than a browser should wait
on one request. The sign request therefore starts a task and answers at once; the page polls
:meth:`SigningRuns.get` (through the status endpoint) every second. The batch's durable state is in
the database (:mod:`siakgate.workflow.batches`); a run only adds what the database cannot say: that
this process is still working on it, and an error that refused the whole call before any item was
tried. The credential is wiped when the task ends, whatever happened; it is never kept on the run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from siakgate.errors import SiakgateError
from siakgate.signing import Credential

__all__ = ["SigningRun", "SigningRuns"]

log = logging.getLogger("siakgate.web")


@dataclass
class SigningRun:
    batch_id: str
    started_by: str
    started_at: datetime
    running: bool = True
    error_code: str | None = None
    error_message: str | None = None


class SigningRuns:
    """The runs of this process, by batch id (the last run of each batch is kept for its status)."""

    def __init__(self) -> None:
        self._runs: dict[str, SigningRun] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, batch_id: str) -> SigningRun | None:
        return self._runs.get(batch_id)

    def start(
        self,
        batch_id: str,
        started_by: str,
        now: datetime,
        credential: Credential,
        sign: Callable[[Credential], Awaitable[object]],
    ) -> SigningRun | None:
        """Start ``sign(credential)`` in the background; None (credential wiped) if the batch already runs."""
        current = self._runs.get(batch_id)
        if current is not None and current.running:
            credential.wipe()
            return None
        run = SigningRun(batch_id, started_by, now)
        self._runs[batch_id] = run
        task = asyncio.get_running_loop().create_task(self._run(run, credential, sign))
        self._tasks.add(task)  # a strong reference until done (asyncio keeps only weak ones)
        task.add_done_callback(self._tasks.discard)
        return run

    @staticmethod
    async def _run(run: SigningRun, credential: Credential, sign: Callable[[Credential], Awaitable[object]]) -> None:
        try:
            await sign(credential)
        except SiakgateError as exc:
            run.error_code, run.error_message = exc.code, exc.message
            log.info("web signing refused batch=%s code=%s", run.batch_id, exc.code)
        except Exception:  # a bug: the page must not spin forever
            run.error_code, run.error_message = "KESALAHAN_INTERNAL", "Terjadi kesalahan di gateway."
            log.exception("web signing failed batch=%s", run.batch_id)
        finally:
            credential.wipe()
            run.running = False

    async def wait_all(self) -> None:
        """Wait for the runs in progress (tests; a graceful stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
