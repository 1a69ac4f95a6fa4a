"""The service desk's refusals: branches of :class:`~siakgate.errors.WorkflowError` (the API maps ``status``)."""

from __future__ import annotations

from siakgate.errors import WorkflowError

__all__ = ["DeskInputError", "FollowUpRequiredError"]


class DeskInputError(WorkflowError):
    """A request the desk cannot use (an unknown level, a Bidang missing, a bad period): nothing written."""

    code = "PERMINTAAN_TIDAK_VALID"
    status = 422


class FollowUpRequiredError(DeskInputError):
    """A complaint cannot be closed without its recorded follow-up (tindak lanjut)."""

    code = "TINDAK_LANJUT_WAJIB"
