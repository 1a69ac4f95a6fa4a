"""How a message leaves the gateway: one :class:`Sender` per channel, chosen from the configuration.

The delivery worker (:mod:`siakgate.notify.delivery`) knows no channel: for each message it claims it
calls the sender configured for the message's ``channel`` and records the :class:`Attempt` it returns
(sent; transient, retried with backoff; or refused for good). :func:`senders_for` builds them from
``notify`` settings (:meth:`siakgate.config.NotifySettings.channel_settings`): channel -> kind of sender
-> its endpoint. :class:`WebhookSender` is the kind used for WHATSAPP and SMS: the signed POST of
:mod:`siakgate.notify.webhook` that a WhatsApp Business or SMS gateway bridge receives.

Adding a channel (README, "Adding a notification channel"): a channel whose bridge takes the webhook
needs only its name in :mod:`siakgate.notify.outbox` and a ``notify.channels`` entry; a new kind of
sender is a class here with ``async send(message) -> Attempt`` and its entry in :data:`SENDER_KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import httpx

from siakgate.clock import Clock
from siakgate.config import ChannelSettings, NotifySettings
from siakgate.notify.webhook import Attempt, build_request, classify, transport_failure

__all__ = ["SENDER_KINDS", "Attempt", "Sender", "WebhookSender", "senders_for"]


class Sender(Protocol):
    """Delivers the messages of one channel."""

    async def send(self, message: Mapping[str, Any]) -> Attempt:
        """One attempt at delivering ``message`` (:func:`siakgate.notify.webhook.payload`: id, to, text,
        ...). A refusal or a transport failure is an :class:`Attempt`, not an exception; the message id
        is the same on every attempt, so the receiver can drop a repeat."""
        ...


@dataclass(frozen=True)
class WebhookSender:
    """POSTs the message as signed JSON to a bridge's webhook (:mod:`siakgate.notify.webhook`)."""

    http: httpx.AsyncClient
    url: str
    secret: bytes
    clock: Clock

    async def send(self, message: Mapping[str, Any]) -> Attempt:
        body, headers = build_request(dict(message), self.secret, now=self.clock.timestamp())
        try:
            response = await self.http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return transport_failure(exc)
        return classify(response)


SenderFactory = Callable[[ChannelSettings, NotifySettings, httpx.AsyncClient, Clock], Sender]
"""Builds the sender of one channel: (the channel's settings, all notify settings, the HTTP client, the clock)."""


def _webhook(channel: ChannelSettings, settings: NotifySettings, http: httpx.AsyncClient, clock: Clock) -> Sender:
    return WebhookSender(http, channel.url, settings.webhook_secret.get_secret_value().encode("utf-8"), clock)


SENDER_KINDS: Final[Mapping[str, SenderFactory]] = {"webhook": _webhook}
"""The kinds of sender a channel may name in its settings (``sender``)."""


def senders_for(settings: NotifySettings, http: httpx.AsyncClient, clock: Clock) -> dict[str, Sender]:
    """Channel -> its sender, for every configured channel; ``ValueError`` for an unknown kind."""
    senders: dict[str, Sender] = {}
    for name, channel in settings.channel_settings().items():
        factory = SENDER_KINDS.get(channel.sender)
        if factory is None:
            known = ", ".join(sorted(SENDER_KINDS))
            raise ValueError(f"notify channel {name}: unknown sender {channel.sender!r} (known: {known})")
        senders[name] = factory(channel, settings, http, clock)
    return senders
