"""Notification templates of a service profile: which message goes out when, and how it is filled in.

A profile's ``notifications`` map a template key to a message in Bahasa Indonesia with
``{placeholder}`` fields. A step names the keys to send (see :class:`~siakgate.workflow.profiles.Step`):

* ``notify`` when the step ends *forward* (complete, confirm, approve, printed, delivered, or an
  automatic step done);
* ``notify_back`` when the step sends the file *back* (incomplete, correct, reject);
* ``notify_extra`` with ``notify``, each only when its :class:`NoticeCondition` holds for the case.

:func:`notices` answers "which keys now?" for the engine; :func:`render` fills one in. The gateway
does not send messages itself: the calling system (the WhatsApp desk, the SMS gateway) does, with the
text rendered here.

Templates may only use :data:`PLACEHOLDERS`. None of them carries a NIK or a name: messages travel
over WhatsApp and SMS, and the application number is enough for the applicant to recognise theirs.
A template that looks like it embeds a NIK or a No. KK (16 digits) is refused at load.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

from siakgate.domain import CaseType, case_profile

if TYPE_CHECKING:
    from siakgate.workflow.profiles import Step

__all__ = [
    "PLACEHOLDERS",
    "NoticeCondition",
    "Outcome",
    "condition_holds",
    "notices",
    "render",
    "template_problems",
]

PLACEHOLDERS: dict[str, str] = {
    "nomor_permohonan": "the application's number (its id in the gateway)",
    "kekurangan": "the missing requirements, as Indonesian labels joined by '; '",
    "alasan": "the reason given with a rejection or a correction",
    "tenggat": "the due date (DD-MM-YYYY, WIB)",
    "layanan": "the service profile's name",
}
"""The only fields a template may use, with what the engine puts in them."""

_LONG_NUMBER = re.compile(r"\d{16}")


class Outcome(StrEnum):
    """How a step ended, as far as notifications care."""

    FORWARD = "forward"
    BACK = "back"


class NoticeCondition(StrEnum):
    """When an extra notice applies, decided from the case type alone."""

    OLD_KK_RETURNED = "old_kk_returned"
    """The case has an old card to hand back (``case_profile(case).old_kk_returned``): not a lost KK."""
    DATA_CHANGE = "data_change"
    """A change of data (PERUBAHAN_DATA), which may call for a new e-KTP."""


def condition_holds(condition: NoticeCondition, case_type: CaseType) -> bool:
    """Whether ``condition`` applies to an application of ``case_type``."""
    if condition is NoticeCondition.OLD_KK_RETURNED:
        return case_profile(case_type).old_kk_returned
    return case_type is CaseType.PERUBAHAN_DATA


def notices(step: Step, outcome: Outcome, case_type: CaseType) -> tuple[str, ...]:
    """The template keys to send when ``step`` ends with ``outcome`` for a ``case_type`` application."""
    if outcome is Outcome.BACK:
        return (step.notify_back,) if step.notify_back else ()
    keys: list[str] = [step.notify] if step.notify else []
    keys.extend(extra.template for extra in step.notify_extra if condition_holds(extra.when, case_type))
    return tuple(keys)


def _fields(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]


def template_problems(template: str) -> list[str]:
    """What is wrong with a template, in Bahasa Indonesia (empty when it is usable)."""
    if not template.strip():
        return ["teks pesan kosong"]
    try:
        fields = _fields(template)
    except ValueError as exc:
        return [f"format placeholder rusak ({exc}); gunakan {{nama}} dan tulis kurung kurawal biasa sebagai {{{{ }}}}"]
    problems = []
    for field in fields:
        if field not in PLACEHOLDERS:
            known = ", ".join(sorted(PLACEHOLDERS))
            problems.append(f"placeholder {{{field}}} tidak dikenal (yang dikenal: {known})")
    if _LONG_NUMBER.search(template):
        problems.append("teks pesan memuat angka 16 digit (NIK atau No. KK tidak boleh ada dalam templat)")
    return problems


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``template`` in; every placeholder it uses must be in ``values`` (extra values are ignored).

    Raises ``KeyError`` naming the missing field: a programming error, not the applicant's.
    """
    missing = [field for field in _fields(template) if field not in values]
    if missing:
        raise KeyError(f"nilai untuk placeholder tidak diberikan: {', '.join(missing)}")
    return template.format_map(dict(values))
