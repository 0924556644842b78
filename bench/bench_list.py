"""Ticket list query with three filters at 1,000,000 tickets (PostgreSQL): p50 / p95.

Tickets are generated in the database with generate_series (the list query, not the loader, is
what is measured here); the query is the one the list page and the API run:
tickets_visible_to(viewer) filtered by status, district and a received-at window, newest first,
one page of 50.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone


def _fill(tickets: int) -> None:
    from jiesu.orgs.models import Unit
    from jiesu.tickets.choices import Channel, Kind, TicketStatus
    from jiesu.tickets.models import Ticket

    have = Ticket.objects.count()
    if have >= tickets:
        return
    districts = list(Unit.objects.filter(kind="district").values_list("pk", flat=True))
    statuses = [s.value for s in TicketStatus]
    kinds = [k.value for k in Kind]
    channels = [c.value for c in Channel]
    table = Ticket._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {table} (number, source, external_number, channel, received_at, requester_name,
                requester_phone, requester_id_number, requester_confidential, kind, urgency, is_complex, title,
                content, address, district_id, status, version, is_direct_answer, return_count, rework_count,
                paused_seconds, extension_pending, exclusion_pending, sector_confirmation_pending, sector_answer,
                callback_satisfaction, is_repeat, is_sensitive, is_monthly_topic, assessment_scope,
                exclusion_reason_code, created_at, updated_at, reply_text)
            SELECT 'B' || lpad(g::text, 12, '0'), '', '', (%(channels)s::text[])[1 + g %% %(nc)s],
                now() - (g %% 525600) * interval '1 minute', '', '', '', false,
                (%(kinds)s::text[])[1 + g %% %(nk)s], 'normal', false, '诉求 ' || g, '', '',
                (%(districts)s::bigint[])[1 + (g * 7) %% %(nd)s], (%(statuses)s::text[])[1 + (g * 13) %% %(ns)s],
                1, false, 0, 0, 0, false, false, false, '', '', false, false, false, 'full', '', now(), now(), ''
            FROM generate_series(%(start)s, %(stop)s) AS g
            """,
            {
                "channels": channels,
                "nc": len(channels),
                "kinds": kinds,
                "nk": len(kinds),
                "districts": districts,
                "nd": len(districts),
                "statuses": statuses,
                "ns": len(statuses),
                "start": have + 1,
                "stop": tickets,
            },
        )
        cur.execute(f"ANALYZE {table}")


def run(tickets: int = 1_000_000, queries: int = 200, seed: int = 7) -> list[dict[str, Any]]:
    from jiesu.orgs.models import Unit, User
    from jiesu.orgs.permissions import CENTER_ROLES
    from jiesu.tickets.choices import TicketStatus
    from jiesu.tickets.selectors import tickets_visible_to

    if connection.vendor != "postgresql":
        return [{"benchmark": "ticket list (3 filters)", "metric": "skipped", "value": "needs PostgreSQL"}]
    if not Unit.objects.filter(kind="district").exists():
        from jiesu.orgs.services import units_seed_beijing

        units_seed_beijing()
    viewer = User.objects.filter(role_grants__role__in=CENTER_ROLES, unit__kind="center").first()
    started = time.perf_counter()
    _fill(tickets)
    fill_seconds = time.perf_counter() - started
    rng = random.Random(seed)
    districts = list(Unit.objects.filter(kind="district").values_list("pk", flat=True))
    now = timezone.now()
    timings: list[float] = []
    for _ in range(queries):
        start = now - timedelta(days=rng.randint(1, 300))
        qs = tickets_visible_to(viewer=viewer).filter(
            status=rng.choice(list(TicketStatus)).value,
            district_id=rng.choice(districts),
            received_at__gte=start,
            received_at__lt=start + timedelta(days=30),
        )
        t0 = time.perf_counter()
        page = list(qs.order_by("-received_at", "-id")[:50])
        timings.append((time.perf_counter() - t0) * 1000)
        assert len(page) <= 50
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    return [
        {"benchmark": "ticket list (3 filters)", "metric": "tickets", "value": tickets},
        {"benchmark": "ticket list (3 filters)", "metric": "fill seconds", "value": round(fill_seconds, 1)},
        {"benchmark": "ticket list (3 filters)", "metric": "p50 ms", "value": round(p50, 2)},
        {"benchmark": "ticket list (3 filters)", "metric": "p95 ms", "value": round(p95, 2), "target": "≤ 50"},
    ]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    django_setup()
    print_table(run(tickets=args.tickets))
