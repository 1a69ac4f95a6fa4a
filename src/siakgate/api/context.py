"""Per-request context shared by the logging middleware, the problem handlers and the log formatter.

A ``contextvars.ContextVar`` rather than a global or a thread-local: each request (an asyncio task)
sees its own request id, and code that runs in a worker thread through ``anyio.to_thread`` inherits it.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("siakgate_request_id", default=None)
"""The X-Request-ID of the request being handled (None outside a request)."""


def current_request_id() -> str | None:
    return request_id_var.get()
