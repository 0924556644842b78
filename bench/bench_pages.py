"""Server time of the workbench pages at 1,000,000 tickets (PostgreSQL): p50 / p95 per page.

Each page is requested through Django's whole stack in-process (middleware, session, the view, the
template), so the figure is what the server spends on a request, without the network and the
browser. Tickets come from bench_list's generate_series fill; a few more are created through the
services and moved through the workflow, so that the ticket page also shows timelines, deadlines
and action forms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

PAGE = "workbench page"
BENCH_PASSWORD = "Bench-only-Passw0rd!"  # noqa: S105 - throwaway users of a benchmark database


def _users() -> dict[str, Any]:
    from jiesu.orgs.choices import Role, UnitKind
    from jiesu.orgs.models import Unit, User
    from jiesu.orgs.services import unit_create, user_create

    center = Unit.objects.filter(kind=UnitKind.CENTER).first() or unit_create(
        name="热线中心", kind=UnitKind.CENTER, parent=Unit.objects.filter(kind=UnitKind.CITY).first(), code="BENCH-C"
    )
    district = Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("code").first()
    wanted = {
        "bench-agent": (center, (Role.AGENT, Role.SHIFT_LEAD)),
        "bench-unit": (district, (Role.UNIT_STAFF,)),
        "bench-leader": (center, (Role.LEADER,)),
    }
    users: dict[str, Any] = {}
    for name, (unit, roles) in wanted.items():
        users[name] = User.objects.filter(username=name).first() or user_create(
            username=name, password=BENCH_PASSWORD, unit=unit, roles=roles, display_name=name
        )
    return users


def _lived_tickets(agent: Any, count: int) -> list[str]:
    """Tickets with a real history: received, acknowledged, dispatched to a district."""
    from jiesu.orgs.models import Unit
    from jiesu.tickets.services.actions import ActionInput, ticket_perform
    from jiesu.tickets.services.intake import TicketDraft, ticket_create

    district = Unit.objects.filter(kind="district").order_by("code").first()
    numbers = []
    for i in range(count):
        draft = TicketDraft(
            title=f"小区夜间施工噪音扰民 {i}",
            content="居民反映小区旁工地夜间施工，噪音很大，影响休息，希望尽快处理。",
            channel="phone",
            kind="complaint",
            urgency="normal",
            requester_name="张三",
            requester_phone="13800138000",
            address="望京西园三区",
            district=district,
        )
        ticket = ticket_create(draft=draft, actor=agent)
        ticket_perform(ticket=ticket, action="acknowledged", actor=agent, data=ActionInput())
        ticket.refresh_from_db()
        ticket_perform(
            ticket=ticket,
            action="dispatched",
            actor=agent,
            data=ActionInput(lead_unit_id=district.pk if district else None, reason="请尽快办理"),
        )
        numbers.append(ticket.number)
    return numbers


def _timed(get: Callable[[], Any], requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = get()
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(timings)


def _rows(name: str, timings: list[float]) -> list[dict[str, Any]]:
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return [
        {"benchmark": f"{PAGE}: {name}", "metric": "p50 ms", "value": round(statistics.median(timings), 1)},
        {"benchmark": f"{PAGE}: {name}", "metric": "p95 ms", "value": round(p95, 1), "target": "≤ 150"},
    ]


def run(tickets: int = 1_000_000, requests: int = 60, seed: int = 11) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.test import Client

    from bench.bench_list import _fill
    from jiesu.orgs.models import Unit
    from jiesu.tickets.choices import TicketStatus
    from jiesu.tickets.models import Ticket

    if connection.vendor != "postgresql":
        return [{"benchmark": PAGE, "metric": "skipped", "value": "needs PostgreSQL"}]
    if not Unit.objects.filter(kind="district").exists():
        from jiesu.orgs.services import units_seed_beijing

        units_seed_beijing()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    _fill(tickets)
    users = _users()
    lived = list(Ticket.objects.filter(title__startswith="小区夜间施工噪音扰民").values_list("number", flat=True)[:20])
    lived += _lived_tickets(users["bench-agent"], 20 - len(lived))
    rng = random.Random(seed)
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    districts = list(Unit.objects.filter(kind="district").values_list("pk", flat=True))
    statuses = [s.value for s in TicketStatus]
    generated = Ticket.objects.filter(number__startswith="B").order_by("-id").values_list("number", flat=True)
    numbers = list(generated[:2000]) + lived

    def list_page() -> Any:
        query = {"status": rng.choice(statuses), "district": str(rng.choice(districts)), "order": "-received"}
        return clients["bench-agent"].get("/tickets/", query)

    def keyword_page() -> Any:
        return clients["bench-agent"].get("/tickets/", {"q": rng.choice(["噪音", "停车", "供暖", "诉求 1"])})

    rows: list[dict[str, Any]] = [{"benchmark": PAGE, "metric": "tickets", "value": Ticket.objects.count()}]
    for role in ("bench-agent", "bench-unit", "bench-leader"):
        client = clients[role]
        rows += _rows(f"home ({role[6:]})", _timed(lambda: client.get("/"), requests))  # noqa: B023 - used at once
    rows += _rows("list, 3 filters", _timed(list_page, requests))
    rows += _rows("list, 2-char keyword", _timed(keyword_page, requests // 2))
    rows += _rows(
        "ticket page", _timed(lambda: clients["bench-agent"].get(f"/tickets/{rng.choice(numbers)}/"), requests)
    )
    rows += _rows(
        "ticket page (lived)", _timed(lambda: clients["bench-agent"].get(f"/tickets/{rng.choice(lived)}/"), requests)
    )
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    django_setup()
    print_table(run(tickets=args.tickets, requests=args.requests))
