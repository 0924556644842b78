"""Where each watched stage keeps its deadline and start on the ticket, and when it is still open.

A stage is open while someone still owes the step it times: once the ticket moves on (replied,
closed, merged, suspended …) its reminders stop by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from jiesu.reminders.choices import ReminderStage
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.conditions import CALLBACK_DUE, SECTOR_PENDING

S = TicketStatus


@dataclass(frozen=True)
class StageSpec:
    stage: ReminderStage
    due_field: str
    start_field: str
    open: Q
    by_unit: bool  # owed by the handling unit (else by the center)

    @property
    def label(self) -> str:
        return str(self.stage.label)


STAGES: dict[str, StageSpec] = {
    spec.stage.value: spec
    for spec in (
        StageSpec(ReminderStage.ACKNOWLEDGE, "acknowledge_due_at", "received_at", Q(status=S.RECEIVED), False),
        StageSpec(
            ReminderStage.DISPATCH,
            "dispatch_due_at",
            "acknowledged_at",
            Q(status__in=[S.ACKNOWLEDGED, S.TRIAGED]),
            False,
        ),
        StageSpec(
            ReminderStage.UNIT_ACKNOWLEDGE, "unit_acknowledge_due_at", "dispatched_at", Q(status=S.DISPATCHED), True
        ),
        StageSpec(ReminderStage.REPLY, "reply_due_at", "dispatched_at", Q(status__in=[S.DISPATCHED, S.HANDLING]), True),
        StageSpec(ReminderStage.CALLBACK, "callback_due_at", "closed_at", CALLBACK_DUE, False),
        StageSpec(
            ReminderStage.SECTOR_CONFIRMATION,
            "sector_confirmation_due_at",
            "sector_pushed_at",
            SECTOR_PENDING,
            True,
        ),
    )
}
