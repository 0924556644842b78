"""The transition table, checked without a database: every status × event pair."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.workflow import RESTORE, TRANSITIONS, TransitionRefused, check, mermaid_chart


@dataclass
class State:
    status: str
    lead_unit_id: int | None = 1
    extension_pending: bool = False
    exclusion_pending: bool = False
    sector_confirmation_pending: bool = False


def satisfying_state(status: str, event: EventKind) -> State:
    """A state in `status` whose flags satisfy the event's guard."""
    rule = TRANSITIONS[event]
    candidates = [
        State(status, lead, ext, exc, sec)
        for lead in (1, None)
        for ext in (False, True)
        for exc in (False, True)
        for sec in (False, True)
    ]
    for state in candidates:
        if rule.guard is None or rule.guard.check(state):
            return state
    raise AssertionError(f"no state satisfies the guard of {event}")


PAIRS = [(status, event) for status in TicketStatus for event in EventKind if event != EventKind.RECEIVED]


@pytest.mark.parametrize(("status", "event"), PAIRS)
def test_every_pair_is_allowed_exactly_when_listed(status: TicketStatus, event: EventKind) -> None:
    rule = TRANSITIONS[event]
    state = satisfying_state(status, event)
    if status in rule.sources:
        assert check(state=state, event=event, reason="原因") is rule
    else:
        with pytest.raises(TransitionRefused) as refused:
            check(state=state, event=event, reason="原因")
        assert refused.value.code == "transition_not_allowed"
        assert "不能执行" in refused.value.message


def test_every_event_has_a_row() -> None:
    assert set(TRANSITIONS) == set(EventKind)


@pytest.mark.parametrize("event", [e for e, r in TRANSITIONS.items() if r.needs_reason])
def test_reason_is_required_where_the_table_says_so(event: EventKind) -> None:
    source = sorted(TRANSITIONS[event].sources)[0]
    with pytest.raises(TransitionRefused) as refused:
        check(state=satisfying_state(source, event), event=event, reason="  ")
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize("event", [e for e, r in TRANSITIONS.items() if r.guard is not None])
def test_guards_refuse_with_their_message(event: EventKind) -> None:
    rule = TRANSITIONS[event]
    assert rule.guard is not None
    source = sorted(rule.sources)[0]
    failing = [
        State(source, lead, ext, exc, sec)
        for lead in (1, None)
        for ext in (False, True)
        for exc in (False, True)
        for sec in (False, True)
        if not rule.guard.check(State(source, lead, ext, exc, sec))
    ]
    with pytest.raises(TransitionRefused) as refused:
        check(state=failing[0], event=event, reason="原因")
    assert refused.value.message == rule.guard.message


def test_received_cannot_be_applied_to_an_existing_ticket() -> None:
    with pytest.raises(TransitionRefused):
        check(state=State(TicketStatus.RECEIVED), event=EventKind.RECEIVED)


def test_final_statuses_allow_only_notes() -> None:
    for status in (TicketStatus.MERGED, TicketStatus.RETURNED_TO_CITY):
        allowed = [e for e, r in TRANSITIONS.items() if status in r.sources]
        assert allowed == [EventKind.NOTE_ADDED]


def test_restore_is_used_only_to_leave_pending_statuses() -> None:
    sources = {s for r in TRANSITIONS.values() if r.target is RESTORE for s in r.sources}
    assert sources == {TicketStatus.RETURN_REQUESTED, TicketStatus.SUSPENDED}


def test_the_committed_workflow_chart_is_current() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "workflow.md"
    assert mermaid_chart() in doc.read_text(encoding="utf-8"), "run `jiesu workflow_chart --write` to refresh"


def test_only_the_transition_service_assigns_status() -> None:
    package = Path(__file__).resolve().parents[2]
    offenders = []
    for path in package.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if ".status = " in text and path.name != "transitions.py":
            offenders.append(str(path))
    assert offenders == []
