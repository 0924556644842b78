"""Who may see what: the data scope of a user follows the unit tree.

- a user of the center (a unit of kind `center`, or above it) with a center role sees everything;
- anyone else sees the subtree of their own unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User

CENTER_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD, Role.CALLBACK_AGENT, Role.ANALYST, Role.LEADER})
TICKET_READER_ROLES = CENTER_ROLES | {Role.UNIT_STAFF}


@dataclass(frozen=True)
class Scope:
    """`everything` or the path prefix of the subtree a user may see; `nothing` for outsiders."""

    everything: bool = False
    unit_path: str | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.unit_path is None


def user_scope(user: User | None) -> Scope:
    if user is None:
        return Scope(everything=True)  # the system itself
    if not user.is_active or not user.has_role(*TICKET_READER_ROLES) or user.unit is None:
        return Scope()
    unit = user.unit
    if unit.kind == UnitKind.CENTER and user.has_role(*CENTER_ROLES):
        return Scope(everything=True)
    return Scope(unit_path=unit.path)


def is_center_user(user: User | None) -> bool:
    return user_scope(user).everything
