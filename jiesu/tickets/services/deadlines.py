"""Stage deadlines of a ticket, from the active time-limit rule set (jiesu.sla).

A deadline is computed when its stage starts and stored on the ticket, together with what
produced it in `Ticket.deadline_rules` (one entry per stage):

    {"reply": {"rule_set": "yanta", "rule_id": 7, "amount": 2, "unit": "wh", "eod": false,
               "hours": "default", "start": "2026-02-13T16:30:00+08:00",
               "pauses": [["2026-02-13T17:00:00+08:00", "2026-02-16T10:00:00+08:00"]],
               "extended": false}}

The unit says how a pause moves the deadline (working minutes for `wh`/`wd`, plain time for
`h`/`d`); `start` and `pauses` let `deadlines_recompute_open`
rebuild the deadline after a calendar edit; `extended` marks a deadline replaced by an approved
extension, which is a decision and is never recomputed. The same entries make KPIs explainable:
which rule, from when, minus which pauses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from jiesu.sla.calendar import SHANGHAI
from jiesu.sla.pauses import PausedTime, deadline_after_pause, paused_time, working_hours_code_of
from jiesu.sla.sector import SectorWindowRule, sector_window, sector_window_rule
from jiesu.sla.services import AppliedLimit, DeadlineFacts, stage_deadline, stage_time_limit
from jiesu.tickets.choices import Stage
from jiesu.tickets.models import Ticket

DeadlineEntry = dict[str, Any]
Moves = dict[str, dict[str, str | None]]

DUE_FIELDS: dict[Stage, str] = {
    Stage.ACKNOWLEDGE: "acknowledge_due_at",
    Stage.FIRST_CONTACT: "first_contact_due_at",
    Stage.DISPATCH: "dispatch_due_at",
    Stage.UNIT_ACKNOWLEDGE: "unit_acknowledge_due_at",
    Stage.REPLY: "reply_due_at",
    Stage.CALLBACK: "callback_due_at",
}
# The fact that ends each stage; the reply stage has none that a pause could see (a suspended
# ticket has always not replied yet: suspension starts from dispatched or handling).
DONE_FIELDS: dict[Stage, str | None] = {
    Stage.ACKNOWLEDGE: "acknowledged_at",
    Stage.FIRST_CONTACT: "first_contacted_at",
    Stage.DISPATCH: "dispatched_at",
    Stage.UNIT_ACKNOWLEDGE: "unit_acknowledged_at",
    Stage.REPLY: None,
    Stage.CALLBACK: "callback_at",
}
# The fact each stage starts from (a rework restarts the reply stage: its entry keeps that start).
START_FIELDS: dict[Stage, str] = {
    Stage.ACKNOWLEDGE: "received_at",
    Stage.FIRST_CONTACT: "received_at",
    Stage.DISPATCH: "acknowledged_at",
    Stage.UNIT_ACKNOWLEDGE: "dispatched_at",
    Stage.REPLY: "dispatched_at",
    Stage.CALLBACK: "closed_at",
}


def ticket_facts(ticket: Ticket) -> DeadlineFacts:
    return DeadlineFacts(
        urgency=ticket.urgency,
        kind=ticket.kind,
        is_complex=ticket.is_complex,
        channel=ticket.channel,
        category_code=ticket.category.code if ticket.category_id and ticket.category else "",
        unit_kind=ticket.lead_unit.kind if ticket.lead_unit_id and ticket.lead_unit else "",
    )


def ticket_stage_deadline(ticket: Ticket, stage: Stage, start: datetime) -> datetime | None:
    return stage_deadline(stage=stage.value, start=start, facts=ticket_facts(ticket))


def iso(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def rule_entry(limit: AppliedLimit, start: datetime) -> DeadlineEntry:
    """The `deadline_rules` entry of a deadline computed from `limit` at `start`."""
    return {
        "rule_set": limit.rule_set_code,
        "rule_id": limit.rule_id,
        "amount": limit.duration.amount,
        "unit": limit.duration.unit.value,
        "eod": limit.end_of_working_day,
        "hours": working_hours_code_of(limit.rule_set_code),
        "start": iso(start),
    }


def deadline_changes(ticket: Ticket, starts: Mapping[Stage, datetime]) -> dict[str, Any]:
    """`ticket_transition` changes that start the given stages: each deadline and its entry."""
    facts = ticket_facts(ticket)
    rules: dict[str, DeadlineEntry] = dict(ticket.deadline_rules or {})
    changes: dict[str, Any] = {}
    for stage, start in starts.items():
        limit = stage_time_limit(stage=stage.value, start=start, facts=facts)
        changes[DUE_FIELDS[stage]] = limit.deadline if limit is not None else None
        if limit is not None:
            rules[stage.value] = rule_entry(limit, start)
        else:
            rules.pop(stage.value, None)
    changes["deadline_rules"] = rules
    return changes


def deadline_clear(ticket: Ticket, stages: Iterable[Stage]) -> dict[str, Any]:
    """Changes that drop the deadlines of `stages` (a return to triage ends the unit's stages)."""
    rules: dict[str, DeadlineEntry] = dict(ticket.deadline_rules or {})
    changes: dict[str, Any] = {}
    for stage in stages:
        changes[DUE_FIELDS[stage]] = None
        rules.pop(stage.value, None)
    changes["deadline_rules"] = rules
    return changes


def deadline_moves(ticket: Ticket, changes: Mapping[str, Any]) -> Moves:
    """{stage: {"from", "to"}} for each stored deadline that `changes` would move (event payloads);
    call it before the transition applies `changes` to `ticket`."""
    moves: Moves = {}
    for stage, name in DUE_FIELDS.items():
        before, after = getattr(ticket, name), changes.get(name, ...)
        if after is not ... and after != before:
            moves[stage.value] = {"from": _iso_or_none(before), "to": _iso_or_none(after)}
    return moves


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def deadline_extension_changes(ticket: Ticket, until: datetime | None) -> dict[str, Any]:
    """An approved extension replaces the reply deadline; the entry remembers it, so neither a
    recompute nor a rule change takes the decision back (pauses still move it, in its unit)."""
    rules: dict[str, DeadlineEntry] = dict(ticket.deadline_rules or {})
    entry = dict(rules.get(Stage.REPLY.value) or _derived_entry(ticket, Stage.REPLY) or {})
    entry["extended"] = True
    entry["extended_to"] = iso(until) if until is not None else None
    rules[Stage.REPLY.value] = entry
    return {"reply_due_at": until, "deadline_rules": rules}


def _derived_entry(ticket: Ticket, stage: Stage) -> DeadlineEntry | None:
    """The entry a deadline would have had, for deadlines stored without one (imported tickets)."""
    start = getattr(ticket, START_FIELDS[stage])
    if start is None:
        return None
    limit = stage_time_limit(stage=stage.value, start=start, facts=ticket_facts(ticket))
    return rule_entry(limit, start) if limit is not None else None


def _open_stages(ticket: Ticket) -> list[Stage]:
    """Stages whose clock is running: a deadline is set and the stage is not done yet."""
    stages = []
    for stage, name in DUE_FIELDS.items():
        done = DONE_FIELDS[stage]
        if getattr(ticket, name) is not None and (done is None or getattr(ticket, done) is None):
            stages.append(stage)
    return stages


def deadline_pause_changes(ticket: Ticket, paused_from: datetime, paused_to: datetime) -> dict[str, Any]:
    """Changes for a resume: every open deadline moves by the pause in its own unit, and the
    paused seconds and working minutes add up on the ticket. `deadline_pause_payload` describes them."""
    rules: dict[str, DeadlineEntry] = dict(ticket.deadline_rules or {})
    interval = [(paused_from, paused_to)]
    ticket_hours = str((rules.get(Stage.REPLY.value) or {}).get("hours", "default"))
    total = paused_time(interval, working_hours_code=ticket_hours)
    changes: dict[str, Any] = {}
    for stage in _open_stages(ticket):
        entry = dict(rules.get(stage.value) or _derived_entry(ticket, stage) or {})
        hours = str(entry.get("hours", "default"))
        paused = total if hours == ticket_hours else paused_time(interval, working_hours_code=hours)
        name = DUE_FIELDS[stage]
        # Without a known limit (imported deadlines without a matching rule) plain time is all we know.
        unit = str(entry.get("unit", "h"))
        changes[name] = deadline_after_pause(getattr(ticket, name), paused, unit=unit, working_hours_code=hours)
        entry["pauses"] = [*entry.get("pauses", []), [iso(paused_from), iso(paused_to)]]
        rules[stage.value] = entry
    changes["deadline_rules"] = rules
    changes["paused_seconds"] = ticket.paused_seconds + total.seconds
    changes["paused_working_minutes"] = ticket.paused_working_minutes + total.working_minutes
    return changes


def deadline_pause_payload(ticket: Ticket, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The RESUMED event's payload: this pause's length and each deadline's move."""
    return {
        "paused_seconds": changes["paused_seconds"] - ticket.paused_seconds,
        "paused_working_minutes": changes["paused_working_minutes"] - ticket.paused_working_minutes,
        "deadlines": deadline_moves(ticket, changes),
    }


def entry_paused_time(entry: Mapping[str, Any]) -> PausedTime:
    """The pauses an entry absorbed, measured again with today's calendar."""
    pauses = entry.get("pauses") or []
    if not pauses:
        return PausedTime()
    intervals = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in pauses]
    return paused_time(intervals, working_hours_code=str(entry.get("hours", "default")))


def sector_entry(
    *, facts: DeadlineFacts, received_at: datetime, pushed_at: datetime, rule: SectorWindowRule | None = None
) -> DeadlineEntry:
    """When sector confirmation of a ticket pushed at `pushed_at` closes (`due_at`), as a
    `deadline_rules` entry: the rule set in force on the push date gives the day window and the
    assessment period's cut-off; a time-limit rule of the sector stage, if any, replaces the window."""
    rule = rule or sector_window_rule(pushed_at.astimezone(SHANGHAI).date())
    limit = stage_time_limit(stage=Stage.SECTOR_CONFIRMATION.value, start=pushed_at, facts=facts)
    window = sector_window(
        pushed_at=pushed_at,
        received_at=received_at,
        rule=rule,
        window_end=limit.deadline if limit is not None else None,
    )
    return {
        "rule_set": rule.rule_set_code,
        "rule_id": limit.rule_id if limit is not None else None,
        "days": rule.days if limit is None else None,
        "start": iso(pushed_at),
        "window_end": iso(window.window_end),
        "cutoff_at": iso(window.cutoff_at) if window.cutoff_at is not None else None,
        "period": f"{window.period:%Y-%m}",
        "due_at": iso(window.due_at),
    }


def deadlines_recompute_open(*, years: set[int] | None = None, batch_size: int = 5000) -> int:
    """Recompute the stored deadlines of all running tickets (of `years` only, when given) after
    a calendar, working-hours or rule edit; returns how many tickets got new deadlines.
    See `jiesu.tickets.services.recompute.deadlines_recompute` for the rules."""
    from jiesu.tickets.services.recompute import deadlines_recompute  # it builds on this module

    return deadlines_recompute(years=years, batch_size=batch_size).changed
