"""Recomputing the stored deadlines of running tickets after a calendar, working-hours or rule edit.

Each stage deadline is rebuilt from the moment its stage started (the ticket's facts: received_at
for acknowledge and first contact, acknowledged_at for dispatch, dispatched_at for the unit's
stages, closed_at for the callback; a rework's restart is kept in the stage's `deadline_rules`
entry), under today's rules and calendar, then moved again by the pauses the stage absorbed,
measured anew. A deadline replaced by an approved extension is a decision, not a computation: it
is kept as approved. The sector confirmation window of tickets still waiting is recomputed too.

Only tickets whose deadlines (or the rule behind them) change are written, a batch at a time with
one bulk UPDATE (`deadline_rows`); the run is summed up in one AuditEntry, not in ticket events
(the timeline holds only workflow events). `deadlines_recompute_when_changed` (jiesu.tickets.jobs)
runs it whenever the SLA configuration differs from what the last full run saw.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.audit.services import audit_record
from jiesu.orgs.models import User
from jiesu.sla.batch import StageLimiter
from jiesu.sla.cache import RuleEntry, RuleSetEntry, fingerprint
from jiesu.sla.calendar import SHANGHAI
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.pauses import deadline_after_pause
from jiesu.sla.sector import SectorWindowRule, sector_window_rule
from jiesu.sla.services import DeadlineFacts
from jiesu.tickets.choices import Stage, TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.deadline_rows import (
    DUES,
    FACTS,
    ID,
    LEAD_UNIT,
    MOMENT_COLUMNS,
    MOMENTS,
    RULES,
    SECTOR_PENDING,
    VERSION,
    DeadlineRow,
    Row,
    deadlines_write,
    from_us,
    rows_read,
    to_us,
)
from jiesu.tickets.services.deadlines import (
    DUE_FIELDS,
    START_FIELDS,
    DeadlineEntry,
    entry_paused_time,
    iso,
    sector_entry,
)

RECOMPUTE_ACTION = "tickets.deadlines_recompute"
RECOMPUTE_YEARS_ACTION = "tickets.deadlines_recompute_years"
FINISHED = (TicketStatus.CLOSED, TicketStatus.RETURNED_TO_CITY, TicketStatus.MERGED)
STAGES = tuple(DUE_FIELDS)  # the order of DUE_COLUMNS (the sector due comes last)
STAGE_KEYS = tuple(stage.value for stage in STAGES)
UNIT_STAGES = frozenset({STAGES.index(Stage.UNIT_ACKNOWLEDGE), STAGES.index(Stage.REPLY)})  # positions
# Where each stage's start sits in a row (START_FIELDS, as positions among MOMENT_COLUMNS).
START_AT = tuple(MOMENTS + MOMENT_COLUMNS.index(START_FIELDS[stage]) for stage in STAGES)
PUSHED_AT = MOMENTS + MOMENT_COLUMNS.index("sector_pushed_at")
RECEIVED_AT = MOMENTS + MOMENT_COLUMNS.index("received_at")
RETRIES = 3
YEAR_MARGIN = timedelta(days=92)  # a stage started this long before a year can still end in it


@dataclass
class RecomputeSummary:
    scanned: int = 0
    changed: int = 0  # tickets whose deadlines were rewritten
    stale: int = 0  # kept changing under the recompute: left as the last transition wrote them
    failed: int = 0  # a start or deadline in a year without a calendar: left as they were
    seconds: float = 0.0
    years: list[int] | None = None

    def detail(self) -> dict[str, Any]:
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in asdict(self).items()}


def recompute_queryset(years: set[int] | None = None) -> QuerySet[Ticket]:
    """The tickets whose deadlines are still running: every ticket not finished, and closed
    tickets still waiting for their callback. With `years`, only those that may have a stage
    start or a deadline from January 1 of the first year to December 31 of the last."""
    waiting_callback = Q(status=TicketStatus.CLOSED, callback_at__isnull=True, callback_due_at__isnull=False)
    tickets = Ticket.objects.filter(~Q(status__in=FINISHED) | waiting_callback)
    if years:
        begin = datetime(min(years), 1, 1, tzinfo=SHANGHAI)
        touches = Q()
        for name in MOMENT_COLUMNS:
            touches |= Q(**{f"{name}__gte": begin - YEAR_MARGIN})
        tickets = tickets.filter(touches, received_at__lt=datetime(max(years) + 1, 1, 1, tzinfo=SHANGHAI))
    return tickets


def _same_rule(entry: Mapping[str, Any], rule: RuleEntry) -> bool:
    return (
        entry.get("rule_id") == rule.pk
        and entry.get("amount") == rule.duration.amount
        and entry.get("unit") == rule.duration.unit.value
    )


def _entry(rule_set: RuleSetEntry, rule: RuleEntry, start: datetime) -> DeadlineEntry:
    return {
        "rule_set": rule_set.code,
        "rule_id": rule.pk,
        "amount": rule.duration.amount,
        "unit": rule.duration.unit.value,
        "eod": rule.end_of_working_day,
        "hours": rule_set.working_hours_code,
        "start": iso(start),
    }


class _Recomputer:
    """Recomputes one row at a time against one configuration snapshot; memoises what repeats
    across rows (facts, rule matching, sector window rules)."""

    def __init__(self) -> None:
        self.limiter = StageLimiter()
        self.facts: dict[tuple[Any, ...], DeadlineFacts] = {}
        self.sector_rules: dict[date, SectorWindowRule] = {}

    def _facts(self, key: tuple[Any, ...]) -> DeadlineFacts:
        facts = self.facts.get(key)
        if facts is None:
            urgency, kind, is_complex, channel, category_code, unit_kind = key
            facts = DeadlineFacts(urgency, kind, is_complex, channel, category_code or "", unit_kind or "")
            self.facts[key] = facts
        return facts

    def row(self, row: Row) -> DeadlineRow | None:
        """The new deadlines of a ticket row, or None when none of them moves."""
        facts = self._facts(row[FACTS])
        rules: dict[str, DeadlineEntry] = row[RULES] or {}
        old = row[DUES:]
        dues = list(old)
        patch: dict[str, DeadlineEntry | None] = {}
        unit_gone = row[LEAD_UNIT] is None  # returned to triage: the unit's stages are over
        limit_of, ruled = self.limiter.limit, self.limiter.stages
        starts: dict[int, datetime] = {}
        for i, key in enumerate(STAGE_KEYS):
            if (unit_gone and i in UNIT_STAGES) or (dues[i] is None and key not in ruled):
                continue
            at = START_AT[i]
            start = starts.get(at)
            if start is None and row[at] is not None:
                start = starts[at] = from_us(row[at])
            entry = rules.get(key) if rules else None
            if entry is not None:
                self._stage(key, start, facts, entry, patch, dues, i)
            elif start is not None:  # the common case, kept flat: 1,000,000 rows in a minute
                limit = limit_of(key, start, facts)
                due = None if limit is None else to_us(limit[2])
                if due != dues[i]:
                    dues[i] = due
                    patch[key] = None if limit is None else _entry(limit[0], limit[1], start)
        if row[SECTOR_PENDING] and row[PUSHED_AT] is not None:
            self._sector(row, facts, patch, dues)
        if not patch and tuple(dues) == old:
            return None
        return DeadlineRow(ticket_id=row[ID], version=row[VERSION], dues=tuple(dues), patch=patch)

    def _stage(
        self,
        stage: str,
        start: datetime | None,
        facts: DeadlineFacts,
        entry: DeadlineEntry | None,
        patch: dict[str, DeadlineEntry | None],
        dues: list[Any],
        i: int,
    ) -> None:
        if entry is not None:
            if entry.get("extended"):
                return  # an approved extension is a decision, not a computation
            entry_start = datetime.fromisoformat(entry["start"]) if entry.get("start") else None
            if entry_start is not None and (start is None or entry_start >= start):
                start = entry_start  # a rework restarted the stage after the fact's moment
            else:
                entry = None  # the stage restarted without this service: its entry is stale
        if start is None:
            return
        limit = self.limiter.limit(stage, start, facts)
        due = None
        if limit is not None:
            rule_set, rule, deadline = limit
            if entry is not None and entry.get("pauses"):
                unit, hours = rule.duration.unit.value, rule_set.working_hours_code
                deadline = deadline_after_pause(deadline, entry_paused_time(entry), unit=unit, working_hours_code=hours)
            due = to_us(deadline)
        if due == dues[i] and (entry is None or (limit is not None and _same_rule(entry, limit[1]))):
            return  # unchanged
        dues[i] = due
        if limit is None:
            patch[stage] = None
            return
        fresh = _entry(limit[0], limit[1], start)
        if entry is not None and entry.get("pauses"):
            fresh["pauses"] = entry["pauses"]
        patch[stage] = fresh

    def _sector(self, row: Row, facts: DeadlineFacts, patch: dict[str, DeadlineEntry | None], dues: list[Any]) -> None:
        pushed_at = from_us(row[PUSHED_AT])
        day = pushed_at.astimezone(SHANGHAI).date()
        rule = self.sector_rules.get(day)
        if rule is None:
            rule = self.sector_rules[day] = sector_window_rule(day)
        entry = sector_entry(facts=facts, received_at=from_us(row[RECEIVED_AT]), pushed_at=pushed_at, rule=rule)
        due = to_us(datetime.fromisoformat(entry["due_at"]))
        if due != dues[-1]:
            dues[-1] = due
            patch[Stage.SECTOR_CONFIRMATION.value] = entry


def deadlines_recompute(
    *, years: set[int] | None = None, batch_size: int = 5000, actor: User | None = None
) -> RecomputeSummary:
    """Recompute the stored deadlines of every running ticket (see `recompute_queryset`) from
    its stage starts, the pauses it absorbed and today's calendar, working hours and rules.

    Deadlines replaced by an approved extension are kept. Tickets are read in id order, `batch_size`
    at a time, and each batch is written with one bulk UPDATE in its own transaction. A ticket
    that changed between read and write is read again at the end (up to RETRIES times). An
    AuditEntry sums the run up, with the SLA fingerprint it saw (`deadlines_recompute_when_changed`).
    """
    started = time.perf_counter()
    stamp = sla_fingerprint()
    summary = RecomputeSummary(years=sorted(years) if years else None)
    tickets = recompute_queryset(years)
    recomputer = _Recomputer()
    stale: list[int] = []
    last_id = 0
    while batch := rows_read(tickets, after_id=last_id, limit=batch_size):
        last_id = batch[-1][ID]
        summary.scanned += len(batch)
        stale += _recompute_batch(recomputer, batch, summary)
    for _ in range(RETRIES):
        if not stale:
            break
        again = rows_read(tickets.filter(id__in=stale), after_id=0, limit=len(stale))
        stale = _recompute_batch(recomputer, again, summary)
    summary.stale = len(stale)
    summary.seconds = time.perf_counter() - started
    detail = {**summary.detail(), "fingerprint": None if years else stamp}
    with transaction.atomic():
        audit_record(actor=actor, action=RECOMPUTE_YEARS_ACTION if years else RECOMPUTE_ACTION, detail=detail)
    return summary


def _recompute_batch(recomputer: _Recomputer, batch: list[Row], summary: RecomputeSummary) -> list[int]:
    """Recompute and write one batch; returns the ids that changed meanwhile (not written)."""
    rows: list[DeadlineRow] = []
    for row in batch:
        try:
            new = recomputer.row(row)
        except CalendarNotLoadedError:
            summary.failed += 1
            continue
        if new is not None:
            rows.append(new)
    with transaction.atomic():
        written = deadlines_write(rows, now=timezone.now())
    summary.changed += len(written)
    return [row.ticket_id for row in rows if row.ticket_id not in written]


def sla_fingerprint() -> list[str]:
    """What the SLA configuration looks like now (row counts and latest edits), as JSON text."""
    return [str(part) for part in fingerprint()]


def deadlines_last_fingerprint() -> list[str] | None:
    """The SLA fingerprint the latest full recompute saw."""
    detail = AuditEntry.objects.filter(action=RECOMPUTE_ACTION).order_by("-id").values_list("detail", flat=True).first()
    return detail.get("fingerprint") if isinstance(detail, dict) else None
