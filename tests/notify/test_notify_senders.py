"""One sender per channel, chosen from the settings: the delivery worker knows no channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from notify_kit import SECRET, add_message, message

from siakgate.clock import Clock
from siakgate.config import ChannelSettings, NotifySettings, Settings
from siakgate.notify import DeliveryWorker, MessageState, Sender, WebhookSender, senders_for
from siakgate.notify.webhook import Attempt
from siakgate.store import Database

pytestmark = pytest.mark.anyio


@dataclass
class Pigeon:
    """A channel that is not a webhook: keeps what it is given, answers from ``script`` (then sent)."""

    script: list[Attempt] = field(default_factory=list)
    got: list[Mapping[str, Any]] = field(default_factory=list)

    async def send(self, message: Mapping[str, Any]) -> Attempt:
        self.got.append(message)
        return self.script.pop(0) if self.script else Attempt(sent=True, transient=False)


async def test_each_message_goes_to_its_channel_s_sender(database: Database) -> None:
    pigeon, sms = Pigeon(), Pigeon(script=[Attempt(sent=False, transient=False, reason="nomor tidak dilayani")])
    first = add_message(database, channel="MERPATI", text="Pesan lewat merpati.")
    second = add_message(database, channel="SMS", text="Pesan lewat SMS.")
    kept = add_message(database, channel="WHATSAPP")  # no sender for it: stays PENDING
    senders: dict[str, Sender] = {"MERPATI": pigeon, "SMS": sms}
    worker = DeliveryWorker(db=database, senders=senders, clock=Clock())
    assert await worker.run_once() == 2
    assert [m["id"] for m in pigeon.got] == [first]
    assert pigeon.got[0]["text"] == "Pesan lewat merpati."
    assert pigeon.got[0]["channel"] == "MERPATI"
    assert [m["id"] for m in sms.got] == [second]
    assert message(database, first).state == MessageState.SENT
    refused = message(database, second)
    assert refused.state == MessageState.FAILED
    assert refused.last_error == "nomor tidak dilayani"
    assert message(database, kept).state == MessageState.PENDING


async def test_channels_come_from_the_settings() -> None:
    settings = NotifySettings(
        sms_url="http://127.0.0.1:1/sms",
        channels={"merpati": ChannelSettings(url="http://127.0.0.1:1/merpati")},
        webhook_secret=SECRET.decode(),  # type: ignore[arg-type]
    )
    assert settings.endpoints() == {"SMS": "http://127.0.0.1:1/sms", "MERPATI": "http://127.0.0.1:1/merpati"}
    async with httpx.AsyncClient() as http:
        senders = senders_for(settings, http, Clock())
    assert set(senders) == {"SMS", "MERPATI"}
    sms = senders["SMS"]
    assert isinstance(sms, WebhookSender)
    assert (sms.url, sms.secret, sms.http) == ("http://127.0.0.1:1/sms", SECRET, http)


def test_channels_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIAKGATE_NOTIFY__CHANNELS", '{"merpati": {"sender": "webhook", "url": "https://m.example/h"}}')
    monkeypatch.setenv("SIAKGATE_NOTIFY__WHATSAPP_URL", "https://wa.example/h")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.notify.endpoints() == {"WHATSAPP": "https://wa.example/h", "MERPATI": "https://m.example/h"}


async def test_an_unknown_kind_of_sender_is_refused() -> None:
    settings = NotifySettings(channels={"FAX": ChannelSettings(sender="fax", url="tel:0341")})
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValueError, match=r"notify channel FAX: unknown sender 'fax' \(known: webhook\)"):
            senders_for(settings, http, Clock())


async def test_the_webhook_sender_classifies_the_answer() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503 if request.headers["Idempotency-Key"] == "busy" else 200, text="sibuk")

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        sender = WebhookSender(http, "http://bridge.test/hook", SECRET, Clock())
        assert await sender.send({"id": "ok"}) == Attempt(sent=True, transient=False)
        busy = await sender.send({"id": "busy"})
    assert (busy.sent, busy.transient) == (False, True)
    assert busy.reason is not None
    assert "HTTP 503" in busy.reason
