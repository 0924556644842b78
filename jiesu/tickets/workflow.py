"""Every legal event on a ticket, in one table. Nothing else may change Ticket.status.

Each row says from which statuses the event may happen, what the status becomes (a status,
`None` for "unchanged", or `RESTORE` for "back to where it was before the pending step"),
whether a reason is required, which roles may do it, from which side (the center, the
handling unit, or anyone who can see the ticket), and which guard must hold.
This module is pure: no ORM, so it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Protocol

from jiesu.orgs.choices import Role
from jiesu.tickets.choices import EventKind, TicketStatus


class Side(StrEnum):
    CENTER = "center"  # the hotline center (or sub-center) operating Jiesu
    UNIT = "unit"  # the ticket's lead unit (or a unit above it)
    ANY = "any"  # anyone who can see the ticket


class _Restore(Enum):
    RESTORE = "restore"


RESTORE = _Restore.RESTORE
Target = TicketStatus | _Restore | None


class TicketState(Protocol):
    """What guards may read of a ticket."""

    status: str
    lead_unit_id: int | None
    extension_pending: bool
    exclusion_pending: bool
    sector_confirmation_pending: bool


Guard = Callable[[TicketState], bool]


@dataclass(frozen=True)
class GuardRule:
    check: Guard
    message: str


HAS_LEAD_UNIT = GuardRule(lambda t: t.lead_unit_id is not None, "该工单尚未派给承办单位")
NO_LEAD_UNIT = GuardRule(lambda t: t.lead_unit_id is None, "该工单已有承办单位，应走二次办理")
EXTENSION_FREE = GuardRule(lambda t: not t.extension_pending, "已有待审批的延期申请")
EXTENSION_PENDING = GuardRule(lambda t: t.extension_pending, "没有待审批的延期申请")
# One pending request per ticket, whatever its kind (剔除 or 不合理诉求): both share the flag.
EXCLUSION_FREE = GuardRule(lambda t: not t.exclusion_pending, "已有待审核的剔除或不合理诉求申请")
EXCLUSION_PENDING = GuardRule(lambda t: t.exclusion_pending, "没有待审核的剔除或不合理诉求申请")
SECTOR_FREE = GuardRule(lambda t: not t.sector_confirmation_pending, "已有待确认的行业工单")
SECTOR_PENDING = GuardRule(lambda t: t.sector_confirmation_pending, "没有待确认的行业工单")


@dataclass(frozen=True)
class Transition:
    event: EventKind
    sources: frozenset[TicketStatus]
    target: Target
    roles: frozenset[Role]
    side: Side
    needs_reason: bool = False
    guard: GuardRule | None = None


S, E, R = TicketStatus, EventKind, Role
CENTER_OPS = frozenset({R.AGENT, R.SHIFT_LEAD})
LEADS = frozenset({R.SHIFT_LEAD})
UNIT = frozenset({R.UNIT_STAFF})
CALLBACK = frozenset({R.CALLBACK_AGENT, R.AGENT, R.SHIFT_LEAD})
# Steps only the system takes (text screening on intake); no person holds a role for them.
SYSTEM_ONLY: frozenset[Role] = frozenset()

OPEN_AT_CENTER = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.TRIAGED})
WITH_UNIT = frozenset({S.DISPATCHED, S.HANDLING, S.SUSPENDED, S.RETURN_REQUESTED, S.REPLIED})
ACTIVE = OPEN_AT_CENTER | WITH_UNIT
NOT_FINAL = ACTIVE | {S.CLOSED}


TRANSITIONS: dict[EventKind, Transition] = {
    t.event: t
    for t in (
        Transition(E.RECEIVED, frozenset(), S.RECEIVED, CENTER_OPS, Side.CENTER),
        Transition(E.ACKNOWLEDGED, frozenset({S.RECEIVED}), S.ACKNOWLEDGED, CENTER_OPS, Side.CENTER),
        Transition(E.CONTACTED, ACTIVE - {S.RECEIVED}, None, CENTER_OPS | UNIT, Side.ANY),
        Transition(E.TRIAGED, frozenset({S.ACKNOWLEDGED, S.TRIAGED}), S.TRIAGED, CENTER_OPS, Side.CENTER),
        Transition(E.SELF_HANDLED, frozenset({S.ACKNOWLEDGED, S.TRIAGED}), S.CLOSED, CENTER_OPS, Side.CENTER),
        Transition(E.DISPATCHED, frozenset({S.ACKNOWLEDGED, S.TRIAGED}), S.DISPATCHED, CENTER_OPS, Side.CENTER),
        Transition(E.FORWARDED, frozenset({S.HANDLING}), S.DISPATCHED, UNIT, Side.UNIT, guard=HAS_LEAD_UNIT),
        Transition(
            E.REDISPATCHED,
            frozenset({S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED}),
            S.DISPATCHED,
            CENTER_OPS,
            Side.CENTER,
            needs_reason=True,
        ),
        Transition(E.UNIT_ACKNOWLEDGED, frozenset({S.DISPATCHED}), S.HANDLING, UNIT, Side.UNIT),
        Transition(
            E.RETURN_REQUESTED,
            frozenset({S.ACKNOWLEDGED, S.TRIAGED, S.DISPATCHED, S.HANDLING}),
            S.RETURN_REQUESTED,
            CENTER_OPS | UNIT,
            Side.ANY,
            needs_reason=True,
        ),
        Transition(E.RETURN_APPROVED, frozenset({S.RETURN_REQUESTED}), S.TRIAGED, LEADS, Side.CENTER),
        Transition(
            E.RETURNED_TO_CITY,
            frozenset({S.RETURN_REQUESTED}),
            S.RETURNED_TO_CITY,
            LEADS,
            Side.CENTER,
            needs_reason=True,
        ),
        Transition(E.RETURN_REJECTED, frozenset({S.RETURN_REQUESTED}), RESTORE, LEADS, Side.CENTER, needs_reason=True),
        Transition(E.URGED, frozenset({S.DISPATCHED, S.HANDLING, S.SUSPENDED}), None, CENTER_OPS, Side.CENTER),
        Transition(
            E.SUPERVISED,
            frozenset({S.DISPATCHED, S.HANDLING, S.SUSPENDED, S.REPLIED}),
            None,
            LEADS | {R.LEADER},
            Side.CENTER,
            needs_reason=True,
        ),
        Transition(
            E.EXTENSION_REQUESTED,
            frozenset({S.DISPATCHED, S.HANDLING}),
            None,
            UNIT,
            Side.UNIT,
            needs_reason=True,
            guard=EXTENSION_FREE,
        ),
        Transition(
            E.EXTENSION_APPROVED,
            frozenset({S.DISPATCHED, S.HANDLING, S.SUSPENDED}),
            None,
            LEADS,
            Side.CENTER,
            guard=EXTENSION_PENDING,
        ),
        Transition(
            E.EXTENSION_REJECTED,
            frozenset({S.DISPATCHED, S.HANDLING, S.SUSPENDED}),
            None,
            LEADS,
            Side.CENTER,
            needs_reason=True,
            guard=EXTENSION_PENDING,
        ),
        Transition(
            E.SUSPENDED, frozenset({S.DISPATCHED, S.HANDLING}), S.SUSPENDED, LEADS, Side.CENTER, needs_reason=True
        ),
        Transition(E.RESUMED, frozenset({S.SUSPENDED}), RESTORE, LEADS, Side.CENTER),
        Transition(E.REPLIED, frozenset({S.HANDLING}), S.REPLIED, UNIT, Side.UNIT),
        Transition(E.CLOSED, frozenset({S.REPLIED}), S.CLOSED, CENTER_OPS, Side.CENTER),
        Transition(E.REPLY_SENT_BACK, frozenset({S.REPLIED}), S.HANDLING, CENTER_OPS, Side.CENTER, needs_reason=True),
        Transition(E.CALLBACK_RECORDED, frozenset({S.CLOSED}), None, CALLBACK, Side.CENTER),
        Transition(E.CALLBACK_ATTEMPTED, frozenset({S.CLOSED}), None, CALLBACK, Side.CENTER),
        Transition(
            E.REWORK, frozenset({S.CLOSED}), S.HANDLING, CALLBACK, Side.CENTER, needs_reason=True, guard=HAS_LEAD_UNIT
        ),
        Transition(
            E.REOPENED, frozenset({S.CLOSED}), S.TRIAGED, CALLBACK, Side.CENTER, needs_reason=True, guard=NO_LEAD_UNIT
        ),
        Transition(
            E.MERGED,
            frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.TRIAGED, S.DISPATCHED, S.HANDLING}),
            S.MERGED,
            CENTER_OPS,
            Side.CENTER,
        ),
        Transition(
            E.EXCLUSION_REQUESTED,
            WITH_UNIT | {S.CLOSED},
            None,
            CENTER_OPS | UNIT,
            Side.ANY,
            needs_reason=True,
            guard=EXCLUSION_FREE,
        ),
        Transition(E.EXCLUSION_APPROVED, NOT_FINAL, None, LEADS, Side.CENTER, guard=EXCLUSION_PENDING),
        Transition(
            E.EXCLUSION_REJECTED, NOT_FINAL, None, LEADS, Side.CENTER, needs_reason=True, guard=EXCLUSION_PENDING
        ),
        Transition(
            E.UNREASONABLE_REQUESTED,
            WITH_UNIT | {S.CLOSED},
            None,
            CENTER_OPS | UNIT,
            Side.ANY,
            needs_reason=True,
            guard=EXCLUSION_FREE,
        ),
        Transition(E.UNREASONABLE_APPROVED, NOT_FINAL, None, LEADS, Side.CENTER, guard=EXCLUSION_PENDING),
        Transition(
            E.UNREASONABLE_REJECTED, NOT_FINAL, None, LEADS, Side.CENTER, needs_reason=True, guard=EXCLUSION_PENDING
        ),
        Transition(E.SECTOR_PUSHED, NOT_FINAL, None, CENTER_OPS, Side.CENTER, guard=SECTOR_FREE),
        Transition(E.SECTOR_CONFIRMED, NOT_FINAL, None, UNIT | LEADS, Side.ANY, guard=SECTOR_PENDING),
        Transition(
            E.NOTE_ADDED,
            NOT_FINAL | {S.RETURNED_TO_CITY, S.MERGED},
            None,
            CENTER_OPS | UNIT | {R.CALLBACK_AGENT},
            Side.ANY,
            needs_reason=True,
        ),
        Transition(E.FLAGGED, NOT_FINAL, None, SYSTEM_ONLY, Side.CENTER),
    )
}


class TransitionRefused(Exception):
    """Raised by `check` with a Chinese message; services turn it into a DomainError."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def check(*, state: TicketState, event: EventKind, reason: str = "") -> Transition:
    """Validate an event against the table (status, reason, guard). Returns the row."""
    rule = TRANSITIONS.get(event)
    if rule is None or not rule.sources:
        raise TransitionRefused("transition_not_allowed", f"不支持的操作：{event}")
    if state.status not in rule.sources:
        label = TicketStatus(state.status).label if state.status in TicketStatus.values else state.status
        raise TransitionRefused(
            "transition_not_allowed", f"工单当前状态为「{label}」，不能执行「{EventKind(event).label}」"
        )
    if rule.needs_reason and not reason.strip():
        raise TransitionRefused("reason_required", f"「{EventKind(event).label}」必须填写原因或说明")
    if rule.guard is not None and not rule.guard.check(state):
        raise TransitionRefused("guard_failed", rule.guard.message)
    return rule


def events_allowed_from(status: str) -> list[EventKind]:
    return [e for e, rule in TRANSITIONS.items() if status in rule.sources]


def mermaid_chart() -> str:
    """The status graph as a Mermaid state diagram (status changes only)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.RECEIVED.value}"]
    for rule in TRANSITIONS.values():
        for source in sorted(rule.sources):
            if rule.target is None:
                continue
            target = "previous" if rule.target is RESTORE else rule.target.value
            lines.append(f"    {source.value} --> {target}: {rule.event.label}")
    return "\n".join(lines) + "\n"
