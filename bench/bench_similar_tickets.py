"""Similar closed tickets (the ticket page's knowledge panel) at 1,000,000 tickets (PostgreSQL):
p50 / p95 of tickets_similar_closed, for a center agent and for a district's staff.

Tickets come from bench_list's generate_series fill (a year of everyday appeals, ~95 % closed), so
an empty database is filled first. The tickets looked up are drawn at random from the whole year,
every status, their texts combining 11 places, 26 issues and 20 details. PostgreSQL's count of
sequential scans of the ticket table during the lookups is reported too: it must be 0.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from django.db import connection

NAME = "similar closed tickets"


def _timed(tickets: list[Any], viewer: Any) -> tuple[list[float], float]:
    """Sorted timings (ms) and the mean number of similar tickets found."""
    from jiesu.tickets.selectors_similar import tickets_similar_closed

    timings: list[float] = []
    found = 0
    for ticket in tickets:
        t0 = time.perf_counter()
        similar = tickets_similar_closed(ticket=ticket, viewer=viewer)
        timings.append((time.perf_counter() - t0) * 1000)
        found += len(similar)
    return sorted(timings), found / max(1, len(tickets))


def _sequential_scans(tickets: list[Any], viewer: Any) -> int:
    """How many times the lookups read the ticket table sequentially: PostgreSQL's own count of
    what the current transaction executed (pg_stat_xact_user_tables), not a guess from EXPLAIN."""
    from django.db import transaction

    from jiesu.tickets.models import Ticket
    from jiesu.tickets.selectors_similar import tickets_similar_closed

    with transaction.atomic(), connection.cursor() as cursor:
        for ticket in tickets:
            tickets_similar_closed(ticket=ticket, viewer=viewer)
        cursor.execute("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = %s", [Ticket._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _rows(label: str, timings: list[float], found: float) -> list[dict[str, Any]]:
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    name = f"{NAME} ({label})"
    return [
        {"benchmark": name, "metric": "p50 ms", "value": round(statistics.median(timings), 1)},
        {"benchmark": name, "metric": "p95 ms", "value": round(p95, 1), "target": "≤ 100"},
        {"benchmark": name, "metric": "found per ticket", "value": round(found, 2)},
    ]


def run(tickets: int = 1_000_000, lookups: int = 120, seed: int = 23) -> list[dict[str, Any]]:
    from bench.bench_list import _fill
    from bench.bench_pages import _users
    from jiesu.orgs.models import Unit
    from jiesu.tickets.models import Ticket

    if connection.vendor != "postgresql":
        return [{"benchmark": NAME, "metric": "skipped", "value": "needs PostgreSQL"}]
    if not Unit.objects.filter(kind="district").exists():
        from jiesu.orgs.services import units_seed_beijing

        units_seed_beijing()
    _fill(tickets)
    users = _users()
    rng = random.Random(seed)
    last = Ticket.objects.order_by("-id").values_list("pk", flat=True).first() or 0
    picked = Ticket.objects.filter(pk__in=[rng.randint(1, last) for _ in range(lookups)])
    sample = list(picked.select_related("category"))
    rng.shuffle(sample)
    _timed(sample[:5], users["bench-agent"])  # jieba's dictionary and the connection, once
    rows: list[dict[str, Any]] = [
        {"benchmark": NAME, "metric": "tickets", "value": Ticket.objects.count()},
        {"benchmark": NAME, "metric": "lookups", "value": len(sample)},
    ]
    rows += _rows("center agent", *_timed(sample, users["bench-agent"]))
    rows += _rows("district staff", *_timed(sample, users["bench-unit"]))
    scans = _sequential_scans(sample, users["bench-unit"]) + _sequential_scans(sample, users["bench-agent"])
    rows.append({"benchmark": NAME, "metric": "seq scans of tickets", "value": scans, "target": "0"})
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=120)
    args = parser.parse_args()
    django_setup()
    print_table(run(tickets=args.tickets, lookups=args.lookups))
