"""Writing notifications into the outbox, in the same transaction as the state change that makes them due.

The hook: :class:`Outbox` is one of the workflow's transition listeners
(:mod:`siakgate.workflow.pipeline`, passed to the workflow by :func:`siakgate.api.runtime.open_gateway`).
Every state change of an application adds a :class:`~siakgate.store.models.TimelineEvent`
(``transitions.record``, ``transitions.return_to``, the worker giving up) and calls
:meth:`Outbox.on_state_change`, which adds the :class:`~siakgate.store.models_notify.OutboxMessage` rows
the profile asks for to the same session. The transition and its messages then commit together or not
at all (a rolled-back transition leaves no message). A workflow built without the outbox writes none.

Which events notify (see :func:`siakgate.workflow.notifications.notices`):

* **back**: the event's outcome is DIKEMBALIKAN or DITOLAK: the step ``step_id`` sent the file back
  (``notify_back``);
* **forward**: the event names a step and the application has left it (it is on another step, or
  SELESAI): that step ended forward (``notify`` and the ``notify_extra`` that hold). A person's action
  that only queues a SIAK call ("approve", "printed") leaves the application on its step: the message
  goes out when the call has been recorded and the step really ends, never twice.

The channel is the profile's (:func:`channel_of`): a WhatsApp service writes WHATSAPP, any other
(counter, village, kecamatan) SMS. How a channel's messages leave the gateway is the delivery side's
business (:mod:`siakgate.notify.senders`, configured per channel). No phone number on the application:
no message (logged).

Personal data: templates carry no NIK or name (checked at load), and free-text values (a verifier's
reason) could: every name and NIK of the application's family, and any 16-digit number, is masked in the
rendered text before it is stored. The recipient's number is stored (it is needed to deliver) and only
ever logged masked.

Self-printed KKs (``SELF_PRINT_PDF``): the deliver step's notice carries an ``attachment`` with the
signed PDF's *document reference* (the gateway path ``/v1/applications/<id>/documents/SIGNED_KK``, its
SHA-256 and its public verification URL), not a download link in the text. Decision and why: the
bridge is a calling system with its own API token; it fetches the PDF with it and attaches the file to
the WhatsApp message, and checks the SHA-256. A bearer link in an SMS or a chat would hand the whole
family's personal data to whoever the message is forwarded to, would need an unauthenticated download
endpoint, and a short-lived one could expire while the message waits for a retry. The verification URL
(the same as the KK's QR code) is public by design.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from siakgate.clock import WIB, Clock
from siakgate.domain import DOCUMENTS, CaseType
from siakgate.store.models import Application, TimelineEvent, new_id
from siakgate.store.models_notify import OutboxMessage
from siakgate.workflow.notifications import Outcome, notices, render
from siakgate.workflow.pipeline import TransitionListener
from siakgate.workflow.profiles import Channel, Delivery, ServiceProfile, StepKind
from siakgate.workflow.states import State

__all__ = [
    "MessageChannel",
    "MessageState",
    "Outbox",
    "channel_of",
    "mask_phone",
    "redact",
]

log = logging.getLogger("siakgate.notify")

_BACK_STATES: Final = frozenset({str(State.DIKEMBALIKAN), str(State.DITOLAK)})
_SIXTEEN_DIGITS: Final = re.compile(r"\d{16}")
_MASK: Final = "***"


class MessageChannel:
    """The channels the outbox writes (plain strings in the table; each is sent by the sender configured
    for it, see :mod:`siakgate.notify.senders`)."""

    WHATSAPP: Final = "WHATSAPP"
    SMS: Final = "SMS"
    ALL: Final = (WHATSAPP, SMS)


class MessageState:
    PENDING: Final = "PENDING"
    SENDING: Final = "SENDING"
    SENT: Final = "SENT"
    FAILED: Final = "FAILED"


def mask_phone(phone: str | None) -> str:
    """``081234567890`` -> ``********7890``: enough to tell two recipients apart in a log, no more."""
    if not phone:
        return "-"
    digits = re.sub(r"\D", "", phone)
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def _family_words(family: dict[str, Any] | None) -> list[str]:
    """The names and numbers of the application's family that must never appear in a message."""
    if not family:
        return []
    words: list[str] = [str(family.get(key) or "") for key in ("head_name", "no_kk")]
    for member in family.get("members") or ():
        if isinstance(member, dict):
            words += [str(member.get(key) or "") for key in ("full_name", "nik", "father_name", "mother_name")]
    return sorted({w.strip() for w in words if len(w.strip()) >= 3}, key=len, reverse=True)


def redact(text: str, family: dict[str, Any] | None) -> str:
    """``text`` with the family's names and NIKs, and any 16-digit number, replaced by ``***``."""
    for word in _family_words(family):
        text = re.sub(re.escape(word), _MASK, text, flags=re.IGNORECASE)
    return _SIXTEEN_DIGITS.sub(_MASK, text)


def channel_of(profile: ServiceProfile) -> str:
    """WHATSAPP for a WhatsApp service, SMS for the others (the applicant gave a phone number)."""
    return MessageChannel.WHATSAPP if profile.channel is Channel.WHATSAPP else MessageChannel.SMS


def template_values(app: Application, profile: ServiceProfile) -> dict[str, str]:
    """Every placeholder of :data:`~siakgate.workflow.notifications.PLACEHOLDERS`, for this application now."""
    missing = [DOCUMENTS.get(str(code), str(code)) for code in (app.missing or [])]
    due = app.due_at.astimezone(WIB) if app.due_at is not None else None
    return {
        "nomor_permohonan": app.id,
        "kekurangan": "; ".join(missing) or "-",
        "alasan": app.return_reason or "-",
        "tenggat": f"{due:%d-%m-%Y} WIB" if due is not None else "-",
        "layanan": profile.name,
    }


@dataclass
class Outbox(TransitionListener):
    """Turns the workflow's new timeline events into outbox rows (see the module docstring)."""

    profiles: dict[str, ServiceProfile]
    clock: Clock
    public_base_url: str = "http://127.0.0.1:8000"

    def on_state_change(self, session: Session, app: Application, event: TimelineEvent) -> None:
        for message in self.messages_for(app, event):
            session.add(message)
            log.info(
                "notification queued id=%s app=%s template=%s channel=%s to=%s",
                message.id,
                message.application_id,
                message.template,
                message.channel,
                mask_phone(message.recipient),
            )

    def messages_for(self, app: Application, ev: TimelineEvent) -> list[OutboxMessage]:
        """The messages ``ev`` (an event of ``app``) makes due (nothing for an event that ends no step)."""
        if ev.step_id is None:
            return []
        profile = self.profiles.get(app.profile_id)
        if profile is None:
            log.warning("no profile for notifications app=%s profile=%s", app.id, app.profile_id)
            return []
        if ev.outcome in _BACK_STATES:
            outcome = Outcome.BACK
        elif ev.outcome != str(State.GANGGUAN) and app.current_step_id != ev.step_id:
            outcome = Outcome.FORWARD
        else:
            return []
        try:
            step = profile.step(ev.step_id)
        except KeyError:
            return []
        keys = notices(step, outcome, CaseType[app.case_type])
        if not keys:
            return []
        if not app.applicant_phone:
            log.info("notification not written (no phone) app=%s templates=%s", app.id, ",".join(keys))
            return []
        values = template_values(app, profile)
        now = self.clock()
        messages = []
        for index, key in enumerate(keys):
            # One microsecond apart: messages of one transition are claimed (and listed) in the profile's order.
            at = now + timedelta(microseconds=index)
            attach = (
                self._attachment(app)
                if profile.delivery is Delivery.SELF_PRINT_PDF and step.kind is StepKind.DELIVER and key == step.notify
                else None
            )
            messages.append(
                OutboxMessage(
                    id=new_id(),
                    application_id=app.id,
                    channel=channel_of(profile),
                    recipient=app.applicant_phone,
                    template=key,
                    step_id=step.id,
                    body=redact(render(profile.notifications[key], values), app.family),
                    attachment=attach,
                    state=MessageState.PENDING,
                    attempts=0,
                    next_attempt_at=at,
                    created_at=at,
                )
            )
        return messages

    def _attachment(self, app: Application) -> dict[str, Any] | None:
        if app.signed_sha256 is None:
            return None
        return {
            "kind": "SIGNED_KK",
            "document_ref": f"/v1/applications/{app.id}/documents/SIGNED_KK",
            "sha256": app.signed_sha256,
            "media_type": "application/pdf",
            "verify_url": f"{self.public_base_url}/v1/verify/{app.verify_ref}" if app.verify_ref else None,
        }
