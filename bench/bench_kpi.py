"""A monthly assessment of 343 townships and 100 units, every indicator, over 1,000,000 tickets
(target ≤ 2 s on PostgreSQL), against one hand-written GROUP BY of the three rates.

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_kpi.py [--tickets 1000000] [--explain]
    (or BENCH_KPI_TICKETS=20000; without DATABASE_URL: a temporary SQLite file)

On PostgreSQL the tickets live in a database of their own (`<name>_kpi`, created and migrated on
first use, kept for later runs) because the list benchmark's tickets carry no KPI facts. They are
generated with generate_series and received over 35 days around March 2026, so nearly all fall in
the assessed month: Beijing's 343 townships (seed) and 100 departments as lead units (a twentieth
answered directly, without one), deadlines and facts on either side of them, a twentieth still
open and a twentieth replied but not closed, callbacks with contact / resolution / satisfaction,
a twentieth returned once, assessment scope mostly full with 5 % response-only and 5 % excluded.
On SQLite the same distributions are drawn in Python.

Timed, p50 of 3 runs each: `kpi_evaluate` of scheme beijing-3rates for March 2026 by township
and by unit, and the baseline, one SQL GROUP BY township of the three rates' numerators and
denominators. The baseline's counts are checked against the engine's. `--explain` prints
PostgreSQL's plan of the engine's query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_recompute import _restore_database, _use_own_database

NAME = "kpi monthly assessment"
SCHEME = "beijing-3rates"
MONTH = (date(2026, 3, 1), date(2026, 3, 31))
SHANGHAI = ZoneInfo("Asia/Shanghai")
ORIGIN = datetime(2026, 2, 24, tzinfo=SHANGHAI)  # received over 35 days: a week before the month
SPREAD_MINUTES = 35 * 24 * 60
UNITS = 100
RUNS = 3

# Six independent draws 0..999 per ticket; u4 decides the stage: < 50 open, < 100 replied,
# else closed; u4 % 20 == 0 answered directly.
FACTS_SQL = """
    SELECT r.received, h.*, (h.u4 %% 20 = 0) AS direct, (h.u4 >= 100 AND h.u6 < 950) AS called
    FROM (SELECT timestamptz %(origin)s + ((g::bigint * 7919) %% %(spread)s) * interval '1 minute'
          AS received) AS r,
    LATERAL (SELECT abs(hashtext(g || 'a')) %% 1000 AS u1, abs(hashtext(g || 'b')) %% 1000 AS u2,
                    abs(hashtext(g || 'c')) %% 1000 AS u3, abs(hashtext(g || 'd')) %% 1000 AS u4,
                    abs(hashtext(g || 'e')) %% 1000 AS u5, abs(hashtext(g || 'f')) %% 1000 AS u6) AS h
"""

INSERT_SQL = """
    INSERT INTO {table} (number, source, external_number, channel, received_at, requester_name,
        requester_phone, requester_id_number, requester_confidential, kind, urgency, is_complex, title,
        content, address, status, version, is_direct_answer, return_count, rework_count, paused_seconds,
        extension_pending, exclusion_pending, sector_confirmation_pending, sector_answer, callback_satisfaction,
        is_repeat, is_sensitive, is_monthly_topic, assessment_scope, exclusion_reason_code, created_at,
        updated_at, reply_text, district_id, township_id, lead_unit_id, acknowledge_due_at, acknowledged_at,
        dispatch_due_at, dispatched_at, reply_due_at, replied_at, closed_at, callback_at, callback_valid,
        callback_contacted, callback_resolved)
    SELECT 'K' || lpad(g::text, 12, '0'), '', '', 'phone', f.received, '', '', '', false, 'help', 'normal',
        g %% 7 = 0, '诉求 ' || g, '', '',
        CASE WHEN f.u4 < 50 THEN 'handling' WHEN f.u4 < 100 THEN 'replied' ELSE 'closed' END, 1, f.direct,
        CASE WHEN f.u2 %% 20 = 0 THEN 1 ELSE 0 END, 0, 0, false, false, false, '',
        CASE WHEN NOT f.called THEN '' WHEN f.u3 < 700 THEN 'satisfied'
             WHEN f.u3 < 850 THEN 'fairly_satisfied' ELSE 'dissatisfied' END,
        f.u1 %% 25 = 0, false, false,
        CASE WHEN f.u5 %% 100 < 90 THEN 'full' WHEN f.u5 %% 100 < 95 THEN 'response_only' ELSE 'excluded' END,
        '', now(), now(), '',
        (%(districts)s::bigint[])[1 + g %% %(nt)s], (%(townships)s::bigint[])[1 + g %% %(nt)s],
        CASE WHEN NOT f.direct THEN (%(units)s::bigint[])[1 + (g * 13) %% %(nu)s] END,
        f.received + interval '2 hours',
        f.received + CASE WHEN f.u1 < 950 THEN interval '30 minutes' ELSE interval '3 hours' END,
        CASE WHEN NOT f.direct THEN f.received + CASE WHEN g %% 7 = 0 THEN interval '1 day' ELSE interval '4 hours' END
        END,
        CASE WHEN NOT f.direct THEN f.received + CASE WHEN f.u2 < 900 THEN interval '1 hour' ELSE interval '6 hours' END
        END,
        CASE WHEN NOT f.direct THEN f.received + interval '15 days' END,
        CASE WHEN f.u4 < 50 THEN NULL WHEN f.direct THEN f.received + interval '10 minutes'
             ELSE f.received + (f.u3 %% 20) * interval '1 day' + interval '2 hours' END,
        CASE WHEN f.u4 < 100 THEN NULL WHEN f.direct THEN f.received + interval '10 minutes'
             ELSE f.received + (f.u3 %% 20) * interval '1 day' + interval '26 hours' END,
        CASE WHEN f.called THEN f.received + (f.u3 %% 20) * interval '1 day' + interval '50 hours' END,
        CASE WHEN f.called THEN f.u5 < 900 END,
        CASE WHEN f.called THEN f.u5 < 880 END,
        CASE WHEN f.called THEN f.u1 %% 10 < 7 END
    FROM generate_series(%(start)s, %(stop)s) AS g, LATERAL ({facts}) AS f
"""

BASELINE_SQL = """
    SELECT township_id,
        COUNT(*) FILTER (WHERE callback_valid AND assessment_scope IN ('full', 'response_only')),
        COUNT(*) FILTER (WHERE callback_valid AND callback_contacted AND assessment_scope IN ('full', 'response_only')),
        COUNT(*) FILTER (WHERE callback_valid AND assessment_scope = 'full'),
        COUNT(*) FILTER (WHERE callback_valid AND callback_resolved AND assessment_scope = 'full'),
        COUNT(*) FILTER (WHERE callback_valid AND callback_satisfaction = 'satisfied' AND assessment_scope = 'full'),
        COUNT(*) FILTER (WHERE callback_valid AND callback_satisfaction = 'fairly_satisfied'
                         AND assessment_scope = 'full')
    FROM {table}
    WHERE received_at >= %s AND received_at < %s
    GROUP BY township_id
"""


def _units() -> tuple[list[tuple[int, int | None]], list[int]]:
    """(township, its district) for Beijing's townships, and the 100 lead units (made if missing)."""
    from jiesu.orgs.models import Unit
    from jiesu.orgs.services import unit_create, units_seed_beijing

    if not Unit.objects.filter(kind="township").exists():
        units_seed_beijing()
    townships: list[tuple[int, int | None]] = list(
        Unit.objects.filter(kind="township").order_by("code").values_list("pk", "parent_id")
    )
    have = set(Unit.objects.filter(code__startswith="BENCH-KPI-").values_list("code", flat=True))
    for i in range(1, UNITS + 1):
        if f"BENCH-KPI-{i:03d}" not in have:
            unit_create(name=f"基准测试部门 {i:03d}", kind="department", code=f"BENCH-KPI-{i:03d}")
    units = list(Unit.objects.filter(code__startswith="BENCH-KPI-").order_by("code").values_list("pk", flat=True))
    return townships, units


def _fill_postgresql(tickets: int, townships: list[tuple[int, int | None]], units: list[int]) -> None:
    from jiesu.tickets.models import Ticket

    have = Ticket.objects.count()
    if have >= tickets:
        return
    table = Ticket._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            INSERT_SQL.format(table=table, facts=FACTS_SQL),
            {
                "origin": ORIGIN.isoformat(),
                "spread": SPREAD_MINUTES,
                "districts": [d for _, d in townships],
                "townships": [t for t, _ in townships],
                "nt": len(townships),
                "units": units,
                "nu": len(units),
                "start": have + 1,
                "stop": tickets,
            },
        )
        cur.execute(f"VACUUM ANALYZE {table}")


def _ticket(g: int, rng: random.Random, townships: list[tuple[int, int | None]], units: list[int]) -> Any:
    """The same distributions as INSERT_SQL, drawn in Python (SQLite)."""
    from jiesu.tickets.models import Ticket

    u1, u2, u3, u4, u5, u6 = (rng.randrange(1000) for _ in range(6))
    direct, called = u4 % 20 == 0, u4 >= 100 and u6 < 950
    received = ORIGIN + timedelta(minutes=(g * 7919) % SPREAD_MINUTES)
    township, district = townships[g % len(townships)]
    handled = received + timedelta(days=u3 % 20, hours=2)
    replied = None if u4 < 50 else received + timedelta(minutes=10) if direct else handled
    closed = None if u4 < 100 else received + timedelta(minutes=10) if direct else handled + timedelta(days=1)
    satisfaction = "" if not called else "satisfied" if u3 < 700 else "fairly_satisfied" if u3 < 850 else "dissatisfied"
    scope = "full" if u5 % 100 < 90 else "response_only" if u5 % 100 < 95 else "excluded"
    return Ticket(
        number=f"K{g:012d}",
        received_at=received,
        kind="help",
        is_complex=g % 7 == 0,
        title=f"诉求 {g}",
        status="handling" if u4 < 50 else "replied" if u4 < 100 else "closed",
        is_direct_answer=direct,
        return_count=1 if u2 % 20 == 0 else 0,
        callback_satisfaction=satisfaction,
        is_repeat=u1 % 25 == 0,
        assessment_scope=scope,
        district_id=district,
        township_id=township,
        lead_unit_id=None if direct else units[(g * 13) % len(units)],
        acknowledge_due_at=received + timedelta(hours=2),
        acknowledged_at=received + (timedelta(minutes=30) if u1 < 950 else timedelta(hours=3)),
        dispatch_due_at=None if direct else received + timedelta(hours=24 if g % 7 == 0 else 4),
        dispatched_at=None if direct else received + timedelta(hours=1 if u2 < 900 else 6),
        reply_due_at=None if direct else received + timedelta(days=15),
        replied_at=replied,
        closed_at=closed,
        callback_at=handled + timedelta(hours=48) if called else None,
        callback_valid=u5 < 900 if called else None,
        callback_contacted=u5 < 880 if called else None,
        callback_resolved=u1 % 10 < 7 if called else None,
    )


def _fill_python(tickets: int, townships: list[tuple[int, int | None]], units: list[int]) -> None:
    from jiesu.tickets.models import Ticket

    have = Ticket.objects.count()
    rng = random.Random(have)
    for first in range(have + 1, tickets + 1, 5000):
        batch = [_ticket(g, rng, townships, units) for g in range(first, min(first + 5000, tickets + 1))]
        Ticket.objects.bulk_create(batch, batch_size=1000)


def _window_bounds() -> tuple[datetime, datetime]:
    from jiesu.kpi.evaluation import window_of_days

    window = window_of_days(*MONTH)
    return window.start, window.end


def _baseline() -> dict[int | None, tuple[int, ...]]:
    from jiesu.tickets.models import Ticket

    with connection.cursor() as cur:
        # As the ORM would bind them: SQLite stores UTC text, so an aware +08:00 value would not compare.
        bounds = [connection.ops.adapt_datetimefield_value(b) for b in _window_bounds()]
        cur.execute(BASELINE_SQL.format(table=Ticket._meta.db_table), bounds)
        return {row[0]: tuple(int(n) for n in row[1:]) for row in cur.fetchall()}


def _evaluate(by: str) -> Callable[[], dict[str, Any]]:
    from jiesu.kpi.evaluation import kpi_evaluate

    return lambda: kpi_evaluate(scheme_code=SCHEME, start=MONTH[0], end=MONTH[1], by=by)


def _p50_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    timings: list[float] = []
    result: Any = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def _check(baseline: dict[int | None, tuple[int, ...]], document: dict[str, Any]) -> None:
    """The engine and the hand-written SQL must count the same tickets for the three rates."""
    from jiesu.orgs.models import Unit

    codes = dict(Unit.objects.filter(pk__in=[k for k in baseline if k is not None]).values_list("pk", "code"))
    groups = {g["key"]: g["indicators"] for g in document["groups"]}
    for township, (rd, rn, sd, sn, s0, s1) in baseline.items():
        ind = groups[codes[township] if township is not None else "none"]
        engine = (
            ind["response_rate"]["denominator"],
            ind["response_rate"]["numerator"],
            ind["resolution_rate"]["denominator"],
            ind["resolution_rate"]["numerator"],
            ind["satisfaction_rate"]["denominator"],
        )
        assert engine == (rd, rn, sd, sn, sd), (township, engine, (rd, rn, sd, sn))
        assert abs(float(ind["satisfaction_rate"]["numerator"]) - (s0 + 0.9 * s1)) < 1e-6, township


def explain() -> str:
    """PostgreSQL's plan (ANALYZE, BUFFERS) of the engine's query for the month by township."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _evaluate("township")()
    sql = max((q["sql"] for q in captured.captured_queries), key=len)
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cur.fetchall())


def _measure(tickets: int, postgres: bool) -> list[dict[str, Any]]:
    from jiesu.tickets.models import Ticket

    townships, units = _units()
    started = time.perf_counter()
    (_fill_postgresql if postgres else _fill_python)(tickets, townships, units)
    rows: list[dict[str, Any]] = [
        {"benchmark": NAME, "metric": "tickets", "value": Ticket.objects.count()},
        {"benchmark": NAME, "metric": "fill seconds", "value": round(time.perf_counter() - started, 1)},
    ]
    start, end = _window_bounds()
    in_month = Ticket.objects.filter(received_at__gte=start, received_at__lt=end).count()
    rows.append({"benchmark": NAME, "metric": "received in month", "value": in_month})
    baseline_ms, baseline = _p50_ms(_baseline)
    by_township_ms, document = _p50_ms(_evaluate("township"))
    by_unit_ms, by_unit = _p50_ms(_evaluate("unit"))
    _check(baseline, document)
    target = "≤ 2000" if postgres else "(PostgreSQL: ≤ 2000 at 1M)"
    rows += [
        {"benchmark": NAME, "metric": "baseline p50 ms", "value": round(baseline_ms, 1)},
        {"benchmark": NAME, "metric": "by township p50 ms", "value": round(by_township_ms, 1), "target": target},
        {"benchmark": NAME, "metric": "by township groups", "value": len(document["groups"])},
        {"benchmark": NAME, "metric": "by township / baseline", "value": round(by_township_ms / baseline_ms, 1)},
        {"benchmark": NAME, "metric": "by unit p50 ms", "value": round(by_unit_ms, 1), "target": target},
        {"benchmark": NAME, "metric": "by unit groups", "value": len(by_unit["groups"])},
        {"benchmark": NAME, "metric": "by unit / baseline", "value": round(by_unit_ms / baseline_ms, 1)},
    ]
    if hasattr(os, "getloadavg"):
        load = f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        rows.append({"benchmark": NAME, "metric": "load average", "value": load})
    return rows


def run(tickets: int = 1_000_000, show_plan: bool = False) -> list[dict[str, Any]]:
    postgres = connection.vendor == "postgresql"
    original = _use_own_database("kpi") if postgres else None
    try:
        rows = _measure(tickets, postgres)
        if show_plan and postgres:
            print(explain())
    finally:
        if original is not None:
            _restore_database(original)
    return rows


if __name__ == "__main__":
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=int(os.environ.get("BENCH_KPI_TICKETS", "1000000")))
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plan of the engine's query")
    args = parser.parse_args()
    django_setup()
    print_table(run(tickets=args.tickets, show_plan=args.explain))
