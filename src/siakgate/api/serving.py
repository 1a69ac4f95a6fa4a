"""Serving the gateway with several uvicorn worker processes: ``python -m siakgate.api.serving --workers 2``.

One Python process uses one core for the API's own work, whatever the threads; a gateway on two cores runs two
worker processes behind one listening socket (uvicorn's supervisor). Each worker builds its own app with
:func:`app_from_environment` (settings from ``SIAKGATE_*``, as ``siakgate serve``), so each has its own services,
background worker, audit flusher and token cache. What that means:

* the database is shared and every background loop claims its work under a lease (jobs, archive replication,
  notification delivery): two workers never do the same unit twice;
* on SQLite both processes write one file: WAL mode lets readers run beside the writer, and a writer of one
  process waits for the other's through ``busy_timeout`` (:mod:`siakgate.store.db`);
* per-process state stays per process: Prometheus metrics (each scrape sees the worker that answered), the rate
  limits and sign-in throttle (a client gets up to ``workers`` times the budget), a revoked token's cache entry
  in the other worker (gone within :data:`siakgate.api.tokens.TOKEN_CACHE_SECONDS`), and the signing
  workstation's live run of a batch (the page polling the other worker shows the batch as the database has it).

With ``--workers 1`` this is ``siakgate serve``.

Before any worker starts, the supervisor waits for the database with bounded backoff (one log line per
attempt; ``SIAKGATE_DATABASE_WAIT_*``) and exits 1 with one clear line when the bound is spent
(:func:`await_database`); each worker's lifespan then finds it answering.
"""

from __future__ import annotations

import argparse
import os
import sys

from fastapi import FastAPI

__all__ = ["EXIT_DATABASE_UNREACHABLE", "app_from_environment", "await_database", "main", "serve"]


def app_from_environment() -> FastAPI:
    """The app for ``SIAKGATE_*`` (uvicorn's factory, called once in every worker process)."""
    from siakgate.api import create_app
    from siakgate.api.logs import configure_logging
    from siakgate.clock import Clock
    from siakgate.config import Settings
    from siakgate.verify import use_fast_hex_reader
    from siakgate.workflow.profiles import load_profiles

    use_fast_hex_reader()  # this worker process is a composition root: pyHanko reads /Contents faster
    settings = Settings()
    load_profiles(settings.profiles_dir)  # a profile that does not make sense stops the worker here
    configure_logging(os.environ.get(_LOG_LEVEL, "INFO"))
    return create_app(settings, clock=Clock())


_LOG_LEVEL = "SIAKGATE_SERVING_LOG_LEVEL"
"""How :func:`serve` tells the worker processes (spawned, not forked) the log level."""


def serve(host: str, port: int, *, workers: int = 2, log_level: str = "info") -> None:
    """Run uvicorn with ``workers`` processes on ``host:port`` until stopped (SIGINT/SIGTERM)."""
    import uvicorn

    os.environ[_LOG_LEVEL] = log_level.upper()
    uvicorn.run(
        "siakgate.api.serving:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        log_level=log_level,
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For is trusted from Settings.trusted_proxies only (siakgate.limits)
        timeout_graceful_shutdown=10,
    )


EXIT_DATABASE_UNREACHABLE = 1
"""The exit code when the database did not answer within the start-up bound (after one clear log line)."""


def await_database() -> bool:
    """Wait for the configured database before any worker process starts (:mod:`siakgate.store.startup`):
    one log line per failed attempt; False (after one line saying so) once the bound is spent.

    Done here, in the supervisor, because uvicorn's supervisor of several workers exits 0 whatever its workers'
    start-up did, and a worker's failing lifespan writes its whole traceback as one line."""
    from siakgate.config import Settings
    from siakgate.store.db import Database
    from siakgate.store.startup import DatabaseUnreachableError, wait_for_database, wait_policy

    settings = Settings()
    db = Database.create(settings.database_url)
    try:
        wait_for_database(db, wait_policy(settings))
    except DatabaseUnreachableError:
        return False  # already logged, in one line
    finally:
        db.dispose()
    return True


def main(argv: list[str] | None = None) -> int:
    import logging

    from siakgate.api.logs import configure_logging

    parser = argparse.ArgumentParser(prog="python -m siakgate.api.serving", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    args = parser.parse_args(argv)
    handler = configure_logging(args.log_level.upper())  # the supervisor's own lines (waiting), as JSON too
    try:
        ready = await_database()
    except KeyboardInterrupt:
        return 0  # stopped while waiting: nothing started yet
    finally:
        logging.getLogger().removeHandler(handler)  # the app (one worker: in this process) installs its own
    if not ready:
        return EXIT_DATABASE_UNREACHABLE
    serve(args.host, args.port, workers=args.workers, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
