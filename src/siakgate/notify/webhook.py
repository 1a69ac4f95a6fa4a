"""One delivery attempt: the JSON a channel's bridge receives, its signature, and what the answer means.

The request::

    POST <notify.whatsapp_url | notify.sms_url>
    Content-Type: application/json
    Idempotency-Key: <message id>            # the same on every attempt of one message
    X-Siakgate-Message-Id: <message id>
    X-Siakgate-Timestamp: <unix seconds>
    X-Siakgate-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body bytes>")>

    {"id": ..., "channel": "WHATSAPP", "to": "0812...", "text": "...", "template": "siap_diambil",
     "application_id": ..., "created_at": "...", "attachment": null | {...}}

Why a signature (HMAC over the exact body, secret from ``notify.webhook_secret``): the bridge sends
messages to citizens in the Dinas's name; an endpoint that accepted any POST would be a WhatsApp/SMS relay
for anyone who finds it, and TLS alone authenticates the server, not the caller. A shared secret is what
every WhatsApp Business and SMS gateway bridge can check with a few lines; the timestamp inside the signed
string lets the bridge refuse a replay older than a few minutes, and the message id lets it drop a repeat
(this gateway delivers at least once).

What an answer means (:func:`classify`): 2xx sent; 408, 429 and 5xx, a timeout or a connection error are
transient (retry with backoff); any other 4xx is a permanent refusal (the message fails for good with the
reason, e.g. a number the gateway does not serve).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Final

import httpx

from siakgate.store.models_notify import OutboxMessage

__all__ = ["Attempt", "build_request", "classify", "payload", "sign", "transport_failure", "verify_signature"]

SIGNATURE_HEADER: Final = "X-Siakgate-Signature"
TIMESTAMP_HEADER: Final = "X-Siakgate-Timestamp"
MESSAGE_ID_HEADER: Final = "X-Siakgate-Message-Id"
_RETRYABLE_4XX: Final = frozenset({408, 429})


def payload(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel,
        "to": message.recipient,
        "text": message.body,
        "template": message.template,
        "application_id": message.application_id,
        "created_at": message.created_at.isoformat(),
        "attachment": message.attachment,
    }


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``"<timestamp>.<body>"``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """What a bridge does with the headers (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def build_request(message: dict[str, Any], secret: bytes, *, now: float) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt for a :func:`payload` (serialised once: the signature covers
    those bytes)."""
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": message["id"],
        MESSAGE_ID_HEADER: message["id"],
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    return body, headers


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: ``sent``, or ``transient`` (retry later), else a permanent refusal."""

    sent: bool
    transient: bool
    reason: str | None = None


def classify(response: httpx.Response) -> Attempt:
    status = response.status_code
    if 200 <= status < 300:
        return Attempt(sent=True, transient=False)
    reason = f"HTTP {status} dari penerima: {_short(response)}"
    if status >= 500 or status in _RETRYABLE_4XX:
        return Attempt(sent=False, transient=True, reason=reason)
    return Attempt(sent=False, transient=False, reason=reason)


def transport_failure(exc: httpx.HTTPError) -> Attempt:
    """A timeout or a connection error: the bridge may or may not have the message, so try again."""
    return Attempt(sent=False, transient=True, reason=f"{type(exc).__name__}: penerima tidak menjawab")


def _short(response: httpx.Response) -> str:
    """The start of the bridge's answer, for the operator (the bridge must not echo the phone number)."""
    text = response.text.strip().replace("\n", " ")
    return text[:200] or response.reason_phrase
