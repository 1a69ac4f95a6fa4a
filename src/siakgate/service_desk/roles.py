"""Who may do what at the service desk.

Two roles that the service standards name only for complaints (seed 001) are added to the tokens'
known roles: ``SEKRETARIAT_PENGADUAN`` (the complaint secretariat, which registers and forwards) and
``SEKRETARIS`` (the Dinas's Secretary, one of the two second levels beside the Kabid).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMPLAINT_INTAKE_ROLES",
    "COMPLAINT_READ_ROLES",
    "DESK_ROLES",
    "FOLLOW_UP_ROLES",
    "QUEUE_ROLES",
    "REPORT_ROLES",
    "SEKRETARIAT_PENGADUAN",
    "SEKRETARIS",
]

SEKRETARIAT_PENGADUAN: Final = "SEKRETARIAT_PENGADUAN"
SEKRETARIS: Final = "SEKRETARIS"

DESK_ROLES: Final = (SEKRETARIAT_PENGADUAN, SEKRETARIS)
"""Roles this package adds to :data:`siakgate.api.tokens.KNOWN_ROLES`."""

QUEUE_ROLES: Final = ("PETUGAS_FO", "PETUGAS_LOKET")
"""The front office hands out tickets (seed 001 step 1)."""

COMPLAINT_INTAKE_ROLES: Final = (SEKRETARIAT_PENGADUAN, "PETUGAS_FO", "PETUGAS_LOKET", "OPERATOR_WA")
"""Who may register a complaint: the secretariat, and the desks a citizen talks to."""

COMPLAINT_READ_ROLES: Final = (*COMPLAINT_INTAKE_ROLES, SEKRETARIS, "KABID", "KEPALA_DINAS")

FOLLOW_UP_ROLES: Final = (
    "OPERATOR_WA",
    "PETUGAS_FO",
    "PETUGAS_LOKET",
    "PETUGAS_BO",
    "OPERATOR_DESA",
    "PETUGAS_CETAK",
    "KASI",
    "KABID",
    "SEKCAM",
)
"""The desks that take an old KK back or send the applicant to print a KTP-el."""

REPORT_ROLES: Final = ("KEPALA_DINAS", "KABID", "KASI")
"""Who reads the service-time reports (ADMIN may too, as everywhere)."""
