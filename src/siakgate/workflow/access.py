"""Who may see and do what: an :class:`Actor` is a calling system's token, bound to roles and a region.

Rules, applied the same way by every method of the workflow:

* **Region.** An actor sees an application only when its ten-digit region code starts with the actor's
  ``region_prefix`` ("" sees every region). What an actor may not see does not exist for it:
  :class:`~siakgate.errors.NotFoundError`, never a hint that the id is real.
* **Role.** Acting on a visible application needs the role of its current step
  (:class:`~siakgate.errors.ForbiddenError` otherwise). The ``ADMIN`` role may act in any step of
  its region and is the only one that may ``retry`` a failed automatic step.
* **State.** A known action in the wrong state is :class:`~siakgate.errors.ActionNotAllowedError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from siakgate.errors import ForbiddenError, NotFoundError
from siakgate.workflow.profiles import Role

__all__ = ["ADMIN_ROLE", "Actor", "require_role", "require_visible", "visible"]

ADMIN_ROLE = "ADMIN"
"""A role outside the service standards: an operator of the gateway itself (repairs, retries)."""


@dataclass(frozen=True)
class Actor:
    """The caller: its name (the token's name, written into timelines), roles and region prefix."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    region_prefix: str = ""

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    def has_any(self, roles: Iterable[str]) -> bool:
        return self.is_admin or any(str(role) in self.roles for role in roles)

    def acting_role(self, wanted: Iterable[str]) -> str:
        """The role under which the actor performs a step (for the timeline)."""
        for role in wanted:
            if str(role) in self.roles:
                return str(role)
        return ADMIN_ROLE


def visible(actor: Actor, region_code: str) -> bool:
    return region_code.startswith(actor.region_prefix)


def require_visible(actor: Actor, region_code: str, what: str = "Permohonan") -> None:
    if not visible(actor, region_code):
        raise NotFoundError(f"{what} tidak ditemukan.")


def require_role(actor: Actor, roles: Iterable[Role | str]) -> str:
    """The acting role, or ForbiddenError naming the roles that may act."""
    wanted = [str(role) for role in roles]
    if not actor.has_any(wanted):
        raise ForbiddenError(f"Tindakan ini hanya untuk peran {', '.join(wanted)}.")
    return actor.acting_role(wanted)
