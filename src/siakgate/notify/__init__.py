"""Notifications to applicants: a transactional outbox and its delivery worker.

* :mod:`siakgate.notify.outbox`: which state change makes which message due; the rows are written in the
  transition's own transaction (:class:`Outbox`, one of the workflow's transition listeners).
* :mod:`siakgate.notify.delivery`: the worker that hands due messages to their channel's sender, with a
  lease, retries, backoff and jitter (:class:`DeliveryWorker`, :func:`run_delivery`).
* :mod:`siakgate.notify.senders`: the :class:`Sender` interface, one per channel, chosen from the settings
  (:func:`senders_for`); :class:`WebhookSender` for WHATSAPP and SMS.
* :mod:`siakgate.notify.webhook`: the request a bridge receives and its HMAC signature.

The gateway's composition root passes the outbox to the workflow and runs the worker next to the
workflow's (:mod:`siakgate.api.runtime`); ``python -m siakgate.notify`` runs a delivery worker on its own.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from siakgate.clock import Clock
from siakgate.config import NotifySettings
from siakgate.notify.delivery import DeliveryWorker, run_delivery
from siakgate.notify.outbox import MessageChannel, MessageState, Outbox, mask_phone, redact
from siakgate.notify.senders import Sender, WebhookSender, senders_for
from siakgate.notify.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify_signature
from siakgate.store.db import Database

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "DeliveryWorker",
    "MessageChannel",
    "MessageState",
    "Outbox",
    "Sender",
    "WebhookSender",
    "delivery_worker",
    "mask_phone",
    "notify_http_client",
    "redact",
    "run_delivery",
    "senders_for",
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
        senders=senders_for(settings, http, clock),
        clock=clock,
        lease=timedelta(seconds=settings.lease_seconds),
        max_attempts=settings.max_attempts,
        backoff_base=settings.backoff_base_seconds,
        backoff_max=settings.backoff_max_seconds,
    )
