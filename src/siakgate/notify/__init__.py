"""Notifications to applicants: a transactional outbox and its delivery worker.

* :mod:`siakgate.notify.outbox`: which state change makes which message due; the rows are written in the
  transition's own transaction (a session hook: :func:`install_outbox`).
* :mod:`siakgate.notify.delivery`: the worker that posts due messages to the channel's webhook, with a
  lease, retries, backoff and jitter (:class:`DeliveryWorker`, :func:`run_delivery`).
* :mod:`siakgate.notify.webhook`: the request a bridge receives and its HMAC signature.

The gateway's lifespan installs the outbox and runs the worker next to the workflow's
(:mod:`siakgate.api.runtime`); ``python -m siakgate.notify`` runs a delivery worker on its own.
"""

from __future__ import annotations

import random
from datetime import timedelta

import httpx

from siakgate.clock import Clock
from siakgate.config import NotifySettings
from siakgate.notify.delivery import DeliveryWorker, run_delivery
from siakgate.notify.outbox import MessageChannel, MessageState, Outbox, install_outbox, mask_phone, redact
from siakgate.notify.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify_signature
from siakgate.store.db import Database

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "DeliveryWorker",
    "MessageChannel",
    "MessageState",
    "Outbox",
    "delivery_worker",
    "install_outbox",
    "mask_phone",
    "notify_http_client",
    "redact",
    "run_delivery",
    "sign",
    "verify_signature",
]


def notify_http_client(settings: NotifySettings) -> httpx.AsyncClient:
    """The client the delivery worker posts with (no transport retries: the outbox retries, with backoff)."""
    timeout = httpx.Timeout(settings.timeout_seconds, connect=min(settings.timeout_seconds, 5.0))
    return httpx.AsyncClient(timeout=timeout, transport=httpx.AsyncHTTPTransport(retries=0))


def delivery_worker(settings: NotifySettings, db: Database, http: httpx.AsyncClient, clock: Clock) -> DeliveryWorker:
    """A :class:`DeliveryWorker` configured from ``settings``."""
    return DeliveryWorker(
        db=db,
        http=http,
        endpoints=settings.endpoints(),
        secret=settings.webhook_secret.get_secret_value().encode("utf-8"),
        clock=clock,
        lease=timedelta(seconds=settings.lease_seconds),
        max_attempts=settings.max_attempts,
        backoff_base=settings.backoff_base_seconds,
        backoff_max=settings.backoff_max_seconds,
        rng=random.Random(),  # noqa: S311 (jitter, not a secret)
    )
