"""From an ImportRecord to the events its ticket went through, with the row's own timestamps.

The planned steps carry what the verb services would write (event payload and ticket changes);
the sequence is checked against the workflow table with `replay_status`, so an import can only
produce histories the live system could have produced.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jiesu.core.errors import DomainError
from jiesu.orgs.models import Unit
from jiesu.tickets.choices import AssignmentRole, EventKind, Stage, TicketStatus
from jiesu.tickets.importing.dues import Dues, LimitFn, PlanBasis, limit_or_none
from jiesu.tickets.importing.errors import RowError, RowRejectedError
from jiesu.tickets.importing.mappings import FIELDS
from jiesu.tickets.importing.rows import ImportRecord
from jiesu.tickets.services.transitions import replay_status

E = EventKind
RETURN_REASON = "台账导入：是否退单为「是」"
# The order of the timestamps of a handled ticket; a missing one takes the next known later one.
UNIT_CHAIN = ("acknowledged_at", "dispatched_at", "unit_acknowledged_at", "replied_at", "closed_at", "callback_at")
# Without a lead unit the center answered the appeal itself (自办): no dispatch, no unit reply.
CENTER_CHAIN = ("acknowledged_at", "closed_at", "callback_at")
UNIT_ONLY = ("dispatched_at", "unit_acknowledged_at", "replied_at")
CALLBACK_ANSWERS = ("callback_contacted", "callback_resolved", "callback_satisfaction")


@dataclass(slots=True)
class PlannedStep:
    kind: EventKind
    at: datetime
    column: str  # the field whose timestamp this step carries (for messages)
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    from_status: str = ""
    to_status: str = ""


@dataclass(slots=True)
class TicketPlan:
    record: ImportRecord
    steps: list[PlannedStep]
    assignments: list[tuple[Unit, str]]  # units assigned at the dispatch step
    assigned_at: datetime | None = None

    @property
    def status(self) -> str:
        return self.steps[-1].to_status


@dataclass
class ReplayState:
    """What workflow guards read; a fresh ticket has no pending requests."""

    status: str = ""
    lead_unit_id: int | None = None
    extension_pending: bool = False
    exclusion_pending: bool = False
    sector_confirmation_pending: bool = False


class Planner:
    def __init__(self, *, labels: dict[str, str], limit: LimitFn = limit_or_none) -> None:
        self.labels = labels
        self.limit = limit
        self._shapes: dict[tuple[tuple[EventKind, bool], ...], list[tuple[str, str]]] = {}

    def label(self, name: str) -> str:
        return self.labels.get(name) or FIELDS[name].label

    def plan(self, record: ImportRecord, basis: PlanBasis) -> TicketPlan:
        """All steps of the row, from receipt on."""
        chain = UNIT_CHAIN if record.lead_unit is not None else CENTER_CHAIN
        self._check(record, chain)
        moments = self._moments(record, chain)
        steps = self._steps(record, basis, moments)
        self._statuses(record, steps)
        assignments: list[tuple[Unit, str]] = []
        if record.lead_unit is not None and "dispatched_at" in moments:
            assignments = [(record.lead_unit, AssignmentRole.LEAD)]
            assignments += [(u, AssignmentRole.ASSISTING) for u in record.assisting_units if u != record.lead_unit]
        return TicketPlan(record=record, steps=steps, assignments=assignments, assigned_at=moments.get("dispatched_at"))

    def _reject(self, record: ImportRecord, name: str, message: str) -> RowRejectedError:
        return RowRejectedError([RowError(record.row, self.label(name), message)])

    def _check(self, record: ImportRecord, chain: tuple[str, ...]) -> None:
        times = record.times
        if record.lead_unit is None:
            for name in UNIT_ONLY:
                if name in times:
                    raise self._reject(record, "lead_unit", f"有「{self.label(name)}」但没有主办单位")
        latest_name, latest = "received_at", times["received_at"]
        for name in chain:
            moment = times.get(name)
            if moment is None:
                continue
            if moment < latest:
                raise self._reject(
                    record,
                    name,
                    f"{self.label(name)}（{_show(moment)}）早于{self.label(latest_name)}（{_show(latest)}）",
                )
            latest_name, latest = name, moment
        self._check_contact(record)
        self._check_callback(record)

    def _check_contact(self, record: ImportRecord) -> None:
        contact = record.times.get("first_contacted_at")
        if contact is None:
            return
        for name in ("received_at", "acknowledged_at"):
            moment = record.times.get(name)
            if moment is not None and contact < moment:
                raise self._reject(
                    record,
                    "first_contacted_at",
                    f"首次联系时间（{_show(contact)}）早于{self.label(name)}（{_show(moment)}）",
                )
        closed = record.times.get("closed_at")
        if closed is not None and contact > closed:
            raise self._reject(
                record, "first_contacted_at", f"首次联系时间（{_show(contact)}）晚于办结时间（{_show(closed)}）"
            )

    def _check_callback(self, record: ImportRecord) -> None:
        answers = [name for name in CALLBACK_ANSWERS if name in record.callback]
        if "callback_at" not in record.times:
            if answers:
                raise self._reject(record, "callback_at", f"填写了「{self.label(answers[0])}」但没有回访时间")
            return
        missing = [name for name in CALLBACK_ANSWERS if name not in record.callback]
        if missing:
            raise self._reject(record, missing[0], f"有回访时间时必须填写「{self.label(missing[0])}」")

    def _moments(self, record: ImportRecord, chain: tuple[str, ...]) -> dict[str, datetime]:
        """The row's timestamps with the gaps filled from the next known later one."""
        times = record.times
        moments = {"received_at": times["received_at"]}
        later: datetime | None = None
        for name in reversed(chain):
            later = times.get(name, later)
            if later is not None:
                moments[name] = later
        contact = times.get("first_contacted_at")
        if contact is not None:
            moments["first_contacted_at"] = contact
            if "acknowledged_at" not in times:
                known = moments.get("acknowledged_at")
                moments["acknowledged_at"] = contact if known is None else min(known, contact)
        if record.returned and "acknowledged_at" not in moments:
            raise self._reject(record, "returned", "是否退单为「是」，但没有签收、派单或办结时间")
        return moments

    def _steps(self, record: ImportRecord, basis: PlanBasis, moments: dict[str, datetime]) -> list[PlannedStep]:
        dues = Dues(self.limit, basis)
        received = moments["received_at"]
        steps = [
            PlannedStep(
                E.RECEIVED,
                received,
                "received_at",
                payload={"channel": record.values["channel"], "source": record.source, "imported": True}
                | {"external_number": record.external_number},
                changes=dues.start({Stage.ACKNOWLEDGE: received, Stage.FIRST_CONTACT: received}),
            )
        ]
        if "acknowledged_at" in moments:
            at = moments["acknowledged_at"]
            steps.append(
                PlannedStep(
                    E.ACKNOWLEDGED,
                    at,
                    "acknowledged_at",
                    changes={"acknowledged_at": at, **dues.start({Stage.DISPATCH: at})},
                )
            )
        if record.returned:
            steps += self._return_steps(basis, dues, moments)
        if record.lead_unit is not None:
            steps += self._unit_steps(record, dues, moments)
        elif "closed_at" in moments:
            steps.append(self._self_handled(record, dues, moments["closed_at"]))
        if "callback_at" in moments:
            steps.append(self._callback(record, moments["callback_at"]))
        if "first_contacted_at" in moments:
            _insert_contact(steps, moments["first_contacted_at"])
        return steps

    def _return_steps(self, basis: PlanBasis, dues: Dues, moments: dict[str, datetime]) -> list[PlannedStep]:
        at = moments.get("dispatched_at") or moments.get("closed_at") or moments["acknowledged_at"]
        column = "returned"
        return [
            PlannedStep(
                E.RETURN_REQUESTED,
                at,
                column,
                reason=RETURN_REASON,
                payload={"unit_id": None},
                changes={"return_count": basis.return_count + 1},
            ),
            PlannedStep(
                E.RETURN_APPROVED,
                at,
                column,
                changes={"lead_unit_id": None, **dues.clear((Stage.UNIT_ACKNOWLEDGE, Stage.REPLY))},
            ),
        ]

    def _unit_steps(self, record: ImportRecord, dues: Dues, moments: dict[str, datetime]) -> list[PlannedStep]:
        lead = record.lead_unit
        steps: list[PlannedStep] = []
        if lead is None or "dispatched_at" not in moments:
            return steps
        at = moments["dispatched_at"]
        dues.dispatched_to(lead.kind)
        changes = {"lead_unit_id": lead.pk, "dispatched_at": at, "unit_acknowledged_at": None}
        changes |= dues.start({Stage.UNIT_ACKNOWLEDGE: at, Stage.REPLY: at})
        reply_due = dues.latest[Stage.REPLY]
        assisting = [u.pk for u in record.assisting_units if u != lead]
        steps.append(
            PlannedStep(
                E.DISPATCHED,
                at,
                "dispatched_at",
                payload={"lead_unit_id": lead.pk, "assisting_unit_ids": assisting},
                changes=changes,
            )
        )
        if "unit_acknowledged_at" in moments:
            at = moments["unit_acknowledged_at"]
            steps.append(
                PlannedStep(E.UNIT_ACKNOWLEDGED, at, "unit_acknowledged_at", changes={"unit_acknowledged_at": at})
            )
        if "replied_at" in moments:
            at = moments["replied_at"]
            on_time = reply_due is None or at <= reply_due
            changes = {"reply_text": record.reply_text, "replied_at": at}
            steps.append(PlannedStep(E.REPLIED, at, "replied_at", payload={"on_time": on_time}, changes=changes))
        if "closed_at" in moments:
            at = moments["closed_at"]
            changes = {"closed_at": at, **dues.start({Stage.CALLBACK: at})}
            steps.append(PlannedStep(E.CLOSED, at, "closed_at", changes=changes))
        return steps

    def _self_handled(self, record: ImportRecord, dues: Dues, at: datetime) -> PlannedStep:
        changes = {"reply_text": record.reply_text, "replied_at": at, "is_direct_answer": True, "closed_at": at}
        changes |= dues.start({Stage.CALLBACK: at})
        return PlannedStep(E.SELF_HANDLED, at, "closed_at", changes=changes)

    @staticmethod
    def _callback(record: ImportRecord, at: datetime) -> PlannedStep:
        answers = record.callback
        valid = bool(answers.get("callback_valid", True))
        payload = {
            "is_valid": valid,
            "contacted": answers["callback_contacted"],
            "resolved": answers["callback_resolved"],
            "satisfaction": answers["callback_satisfaction"],
        }
        changes = {
            "callback_at": at,
            "callback_valid": valid,
            "callback_contacted": payload["contacted"],
            "callback_resolved": payload["resolved"],
            "callback_satisfaction": payload["satisfaction"],
        }
        return PlannedStep(E.CALLBACK_RECORDED, at, "callback_at", payload=payload, changes=changes)

    def _statuses(self, record: ImportRecord, steps: list[PlannedStep]) -> None:
        """Fill from/to status of every step, checked against the workflow table (cached per shape)."""
        shape = tuple((s.kind, bool(s.reason)) for s in steps[1:])
        statuses = self._shapes.get(shape)
        if statuses is None:
            statuses = self.replay(record, TicketStatus.RECEIVED, steps[1:], ReplayState())
            self._shapes[shape] = statuses
        steps[0].from_status, steps[0].to_status = "", TicketStatus.RECEIVED
        for step, (before, after) in zip(steps[1:], statuses, strict=True):
            step.from_status, step.to_status = before, after

    def replay(self, record: ImportRecord, status: str, steps: list[PlannedStep], state: Any) -> list[tuple[str, str]]:
        """`replay_status` over `steps`; a refusal rejects the row, naming the failing step's column."""
        start = copy(state)
        try:
            return replay_status(status=status, events=[(s.kind, s.reason) for s in steps], state=state)
        except DomainError as refusal:
            failed = _failed_step(status, steps, start)
            raise self._reject(record, failed.column, f"办理流程不合法：{refusal.message}") from refusal


def _failed_step(status: str, steps: list[PlannedStep], state: Any) -> PlannedStep:
    """The first step whose prefix the workflow table refuses (only on the error path)."""
    for count in range(1, len(steps) + 1):
        try:
            replay_status(status=status, events=[(s.kind, s.reason) for s in steps[:count]], state=copy(state))
        except DomainError:
            return steps[count - 1]
    return steps[-1]


def _insert_contact(steps: list[PlannedStep], at: datetime) -> None:
    """The first contact goes where its time puts it, but never before the acknowledgement
    (always the second step when there is a contact: `_moments` guarantees it)."""
    position = 2
    while position < len(steps) and steps[position].at < at:
        position += 1
    changes = {"first_contacted_at": at}
    steps.insert(
        position, PlannedStep(E.CONTACTED, at, "first_contacted_at", payload={"reached": True}, changes=changes)
    )


def _show(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
