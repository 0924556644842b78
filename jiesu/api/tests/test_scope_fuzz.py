"""Scope-leak fuzz: schemathesis drives every API operation as a handling-unit user of one township,
with ticket numbers, attachment ids and notification ids taken from that township's tickets AND
from another township's. Whatever the input:

- no answer is a 5xx;
- no answer carries anything of the other township's ticket (number, title, content, phone,
  attachment name or bytes, notification text);
- a request aimed at the other township's ticket (or its attachment, or its notification) gets 404
  or 403 in the single error shape {code, message, details}; invalid input may get 400/422 first.

Same machinery as test_contract.py (real WSGI application, real database, plain Hypothesis tests
from `APIOperation.as_strategy`); examples are few and derandomised to keep the run short.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from jiesu.api.urls import api
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.services import api_token_create
from jiesu.orgs.testing import World, build_world
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch
from jiesu.tickets.services.attachments import attachment_store
from jiesu.tickets.services.intake import TicketDraft, ticket_create

MAX_EXAMPLES = 5
FOREIGN_OK = {403, 404}
FOREIGN_BAD_INPUT = {400, 422}
# Every operation, with the names of its inputs ("body" for a request body): with inputs left free
# after a probe fixes its ids, it is also fuzzed with invalid data.
OPERATIONS = {
    f"{method.upper()} {path}": frozenset(
        [p["name"] for p in operation.get("parameters", [])] + (["body"] if "requestBody" in operation else [])
    )
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method, operation in methods.items()
}
# Reads of the center's own work on a ticket (suggestions, remit check): a handling unit is
# refused by role even on its own tickets, so those answers must be a 403 in the error shape.
CENTER_ONLY_READS = frozenset(
    {
        "GET /api/tickets/{number}/suggestions",
        "GET /api/tickets/{number}/remit",
    }
)
THEIRS = {
    "title": "学院路某小区夜间施工噪音扰民",
    "content": "每晚二十二点后仍在施工，影响休息",
    "phone": "13900007777",
    "file_name": "学院路现场照片.png",
}


@dataclass(frozen=True)
class Probe:
    """Fixed parts of one family of generated requests, and whether they aim at the other unit."""

    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] | None = None
    body: Any = None
    foreign: bool = False


@dataclass
class Target:
    schema: schemathesis.BaseSchema
    headers: dict[str, str]
    secrets: list[bytes]
    probes: dict[str, list[Probe]]


def _ticket(world: World, *, township: Any, district: Any, title: str, content: str, phone: str) -> Ticket:
    draft = TicketDraft(title=title, content=content, requester_phone=phone, district=district, township=township)
    ticket = ticket_create(draft=draft, actor=world.agent)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    dispatch.ticket_triage(ticket=ticket, actor=world.agent)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=township)
    return ticket


def _attachment_id(ticket: Ticket, name: str, content: bytes) -> int:
    stream = io.BytesIO(content)
    return attachment_store(ticket=ticket, stream=stream, original_name=name, content_type="image/png", actor=None).pk


def _notification_id(world: World, user: Any, ticket: Ticket) -> int:
    [row] = notification_enqueue(
        recipients=[user], subject=f"工单 {ticket.number} 即将到期", body=ticket.title, dedupe_key=f"fuzz:{ticket.pk}"
    )
    assert row.notification_id is not None
    return row.notification_id


def _probes(mine: Ticket, theirs: Ticket, ids: dict[str, int]) -> dict[str, list[Probe]]:
    by_number = [Probe({"number": mine.number}), Probe({"number": theirs.number}, foreign=True)]
    return {
        "{attachment_id}": [
            Probe({"number": mine.number, "attachment_id": ids["my_file"]}),
            Probe({"number": theirs.number, "attachment_id": ids["their_file"]}, foreign=True),
            Probe({"number": mine.number, "attachment_id": ids["their_file"]}, foreign=True),
        ],
        "{action}": [
            *by_number,
            Probe({"number": mine.number, "action": "merged"}, body={"master_number": theirs.number}),
        ],
        "{number}": by_number,
        "{notification_id}": [
            Probe({"notification_id": ids["my_note"]}),
            Probe({"notification_id": ids["their_note"]}, foreign=True),
        ],
        "GET /api/tickets": [
            Probe(),
            Probe(query={"q": theirs.number}),
            Probe(query={"q": THEIRS["title"]}),
            Probe(query={"lead_unit": "110108010"}),
        ],
    }


def _probes_for(label: str, probes: dict[str, list[Probe]]) -> list[Probe]:
    for key in ("{attachment_id}", "{action}", "{number}", "{notification_id}"):
        # A knowledge entry's attachment is not a ticket's: its path has no ticket number.
        if key in label and (key != "{attachment_id}" or "{number}" in label):
            return probes[key]
    return probes.get(label, [Probe()])


@pytest.fixture
def target(django_db_serialized_rollback: None, transactional_db: None, settings: Any) -> Target:
    from jiesu.wsgi import application

    # Hundreds of requests from one token: the per-user limit is tested in test_rate_limit.py.
    settings.JIESU_API_RATE_PER_USER = settings.JIESU_API_RATE_PER_ADDRESS = 0
    world = build_world()
    mine = _ticket(
        world,
        township=world.township,
        district=world.district,
        title="望京小区路灯不亮",
        content="路灯坏了一周",
        phone="13800001111",
    )
    theirs = _ticket(
        world,
        township=world.other_township,
        district=world.other_district,
        title=THEIRS["title"],
        content=THEIRS["content"],
        phone=THEIRS["phone"],
    )
    their_bytes = b"\x89PNG-their-secret-photo-bytes"
    ids = {
        "my_file": _attachment_id(mine, "望京现场照片.png", b"\x89PNG-my-photo"),
        "their_file": _attachment_id(theirs, THEIRS["file_name"], their_bytes),
        "my_note": _notification_id(world, world.township_staff, mine),
        "their_note": _notification_id(world, world.other_staff, theirs),
    }
    texts = [theirs.number, *THEIRS.values()]
    secrets = [t.encode() for t in texts] + [json.dumps(t)[1:-1].encode() for t in texts] + [their_bytes]
    _, raw = api_token_create(user=world.township_staff, name="scope-fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    config = schemathesis.Config.from_dict({"headers": headers})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=config)
    return Target(schema=schema, headers=headers, secrets=secrets, probes=_probes(mine, theirs, ids))


def _assert_no_leak(response: Any, target: Target, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.content[:500])
    for secret in target.secrets:
        assert secret not in response.content, (where, secret.decode(errors="replace"), response.content[:500])


def _assert_refused(response: Any, mode: GenerationMode, where: str) -> None:
    allowed = FOREIGN_OK | (FOREIGN_BAD_INPUT if mode is GenerationMode.NEGATIVE else set())
    assert response.status_code in allowed, (where, response.status_code, response.content[:500])
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "details"}, (where, body)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), (where, body)


def _fuzz(operation: Any, probe: Probe, mode: GenerationMode, target: Target, statuses: Counter[Any]) -> None:
    fixed: dict[str, Any] = {"path_parameters": probe.path or None, "query": probe.query}
    if probe.body is not None and mode is GenerationMode.POSITIVE:
        fixed["body"] = probe.body

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        response = case.call(headers=target.headers)
        where = f"{operation.label} {mode.value} {case.path_parameters} {case.query} {case.body!r}"[:400]
        _assert_no_leak(response, target, where)
        if probe.foreign:
            _assert_refused(response, mode, where)
        statuses[(probe.foreign, response.status_code)] += 1

    check()


def _fuzz_operation(target: Target, label: str) -> None:
    operation = target.schema.find_operation_by_label(label)
    assert operation is not None, label
    statuses: Counter[tuple[bool, int]] = Counter()
    probes = _probes_for(label, target.probes)
    for probe in probes:
        free = OPERATIONS[label] - set(probe.path) - set(probe.query or ())
        for mode in [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if free else [GenerationMode.POSITIVE]:
            _fuzz(operation, probe, mode, target, statuses)
    # The fuzz must have reached the other unit's objects and been turned away, not stopped earlier,
    # while the user's own tickets are readable (or the test would prove nothing).
    if any(p.foreign for p in probes):
        assert statuses[(True, 404)] > 0, (label, statuses)
        own = {status for foreign, status in statuses if not foreign}
        if label in CENTER_ONLY_READS:
            assert own == {403}, (label, statuses)
        elif label.startswith("GET "):
            assert any(200 <= status < 300 for status in own), (label, statuses)


def test_no_operation_leaks_another_units_ticket(target: Target) -> None:
    """One world for all operations (a transactional world per operation would triple the run
    time); GETs run before the POSTs that change the user's own ticket. Every operation is fuzzed
    even after a failure, and the failures are reported together."""
    failures = {}
    for label in sorted(OPERATIONS):
        try:
            _fuzz_operation(target, label)
        except AssertionError as exc:
            failures[label] = exc
    assert not failures, "\n".join(f"{label}: {exc}" for label, exc in failures.items())
