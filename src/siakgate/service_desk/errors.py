"""The service desk's refusals, re-exported from :mod:`siakgate.errors` (:mod:`siakgate.api.problems` maps them)."""

from __future__ import annotations

from siakgate.errors import DeskInputError, FollowUpRequiredError

__all__ = ["DeskInputError", "FollowUpRequiredError"]
