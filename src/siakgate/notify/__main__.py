"""``python -m siakgate.notify``: a delivery worker on its own (settings from ``SIAKGATE_...``).

For a deployment that sends notifications from a separate process or host, and for the test that kills a
worker mid-delivery. It only delivers: the outbox rows are written by the gateway's transitions.
"""

from __future__ import annotations

import logging

import anyio

from siakgate.clock import Clock
from siakgate.config import Settings
from siakgate.notify import delivery_worker, notify_http_client, run_delivery
from siakgate.store.db import Database


async def _main() -> None:
    settings = Settings()
    db = Database.create(settings.database_url)
    try:
        async with notify_http_client(settings.notify) as http:
            worker = delivery_worker(settings.notify, db, http, Clock())
            logging.getLogger("siakgate.notify").info(
                "delivery worker %s on %s, channels %s", worker.worker_id, db.url, ",".join(worker.senders) or "-"
            )
            await run_delivery(worker, settings.notify.interval)
    finally:
        db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    anyio.run(_main)


if __name__ == "__main__":
    main()
