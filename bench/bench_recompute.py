"""Recomputing the open deadlines of 1,000,000 tickets after a calendar edit (target ≤ 60 s).

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_recompute.py [--tickets 1000000]

On PostgreSQL the tickets live in a database of their own (`<name>_recompute`, created and
migrated on first use, kept for later runs), so other benchmarks' rows are not scanned too.
They are generated with generate_series: open tickets in every stage from received to replied,
received across 2026, a tenth urgent and a seventh complex, under a rule set in working time
(acknowledge 2 wh / 4 h, dispatch 2 wh / 1 wd, unit acknowledge 1 wd, reply 16 wh / 48 h /
15 wd). Two runs are timed:

- "holiday edit": a weekday in June becomes a holiday, then `deadlines_recompute`; only
  the tickets whose deadlines move are written (the target);
- "all rewritten": all stored deadlines are cleared first, so every ticket is
  recomputed and written (the worst case; run first, then VACUUM, as autovacuum would).

Elsewhere (SQLite) the same runs use Python-made rows and fewer tickets (default 20,000).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, connections

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAME = "deadline recompute"
RULE_SET = "bench-working-time"
HOLIDAY = date(2026, 6, 10)  # a Wednesday
OPEN_STATUSES = ["received", "acknowledged", "triaged", "dispatched", "handling", "replied"]
RULES: list[tuple[str, int, str, dict[str, Any]]] = [
    ("acknowledge", 2, "wh", {"in_working_time": True}),
    ("acknowledge", 4, "h", {"in_working_time": False}),
    ("dispatch", 2, "wh", {}),
    ("dispatch", 1, "wd", {"is_complex": True}),
    ("unit_acknowledge", 1, "wd", {}),
    ("reply", 16, "wh", {}),
    ("reply", 48, "h", {"urgency": "urgent"}),
    ("reply", 15, "wd", {"is_complex": True}),
]


def _use_own_database(suffix: str = "recompute") -> str:
    """Point the default connection at `<name>_<suffix>` (created if missing); returns the old name."""
    from django.core.management import call_command

    conn = connections["default"]
    original = str(conn.settings_dict["NAME"])
    target = f"{original}_{suffix}"
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{target}"')
    conn.close()
    conn.settings_dict["NAME"] = target
    call_command("migrate", verbosity=0, interactive=False)
    return original


def _restore_database(original: str) -> None:
    conn = connections["default"]
    conn.close()
    conn.settings_dict["NAME"] = original


def _setup_rules_and_unit() -> int:
    from jiesu.orgs.models import Unit
    from jiesu.orgs.services import unit_create
    from jiesu.sla.models import TimeLimitRule, TimeLimitRuleSet
    from jiesu.sla.services import calendar_day_clear

    calendar_day_clear(day=HOLIDAY, actor=None)
    TimeLimitRuleSet.objects.exclude(code=RULE_SET).update(is_active=False)
    if not TimeLimitRuleSet.objects.filter(code=RULE_SET).exists():
        rule_set = TimeLimitRuleSet.objects.create(
            code=RULE_SET, name="基准测试：工作时间时限", effective_from=date(2020, 1, 1), is_active=True
        )
        for stage, amount, limit_unit, match in RULES:
            TimeLimitRule.objects.create(rule_set=rule_set, stage=stage, amount=amount, unit=limit_unit, **match)
    township = Unit.objects.filter(code="BENCH-T").first()
    if township is None:
        district = unit_create(name="基准区", kind="district", code="BENCH-D")
        township = unit_create(name="基准街道", kind="township", parent=district, code="BENCH-T")
    return township.pk


def _fill_postgresql(tickets: int, unit_id: int) -> None:
    from jiesu.tickets.models import Ticket

    have = Ticket.objects.count()
    if have >= tickets:
        return
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {Ticket._meta.db_table} (number, source, external_number, channel, received_at,
                requester_name, requester_phone, requester_id_number, requester_confidential, kind, urgency,
                is_complex, title, content, address, status, version, is_direct_answer, return_count, rework_count,
                paused_seconds, extension_pending, exclusion_pending, sector_confirmation_pending, sector_answer,
                callback_satisfaction, is_repeat, is_sensitive, is_monthly_topic, assessment_scope,
                exclusion_reason_code, created_at, updated_at, reply_text, acknowledged_at, dispatched_at, lead_unit_id)
            SELECT 'R' || lpad(g::text, 12, '0'), '', '', 'phone', r.received, '', '', '', false, 'help',
                CASE WHEN g %% 10 = 0 THEN 'urgent' ELSE 'normal' END, g %% 7 = 0, '诉求 ' || g, '', '',
                (%(statuses)s::text[])[1 + g %% 6], 1, false, 0, 0, 0, false, false, false, '', '', false, false,
                false, 'full', '', now(), now(), '',
                CASE WHEN g %% 6 >= 1 THEN r.received + interval '20 minutes' END,
                CASE WHEN g %% 6 >= 3 THEN r.received + interval '2 hours' END,
                CASE WHEN g %% 6 >= 3 THEN %(unit)s::bigint END
            FROM generate_series(%(start)s, %(stop)s) AS g,
                LATERAL (SELECT timestamptz '2026-01-05 00:00+08' + ((g::bigint * 7919) %% 432000) * interval '1 minute'
                         AS received) AS r
            """,
            {"statuses": OPEN_STATUSES, "unit": unit_id, "start": have + 1, "stop": tickets},
        )
        cur.execute(f"ANALYZE {Ticket._meta.db_table}")


def _fill_python(tickets: int, unit_id: int) -> None:
    from jiesu.tickets.models import Ticket

    have = Ticket.objects.count()
    start = datetime(2026, 1, 5, tzinfo=SHANGHAI)
    rows = []
    for g in range(have + 1, tickets + 1):
        received = start + timedelta(minutes=(g * 7919) % 432000)
        step = g % 6
        rows.append(
            Ticket(
                number=f"R{g:012d}",
                received_at=received,
                kind="help",
                urgency="urgent" if g % 10 == 0 else "normal",
                is_complex=g % 7 == 0,
                title=f"诉求 {g}",
                status=OPEN_STATUSES[step],
                acknowledged_at=received + timedelta(minutes=20) if step >= 1 else None,
                dispatched_at=received + timedelta(hours=2) if step >= 3 else None,
                lead_unit_id=unit_id if step >= 3 else None,
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=2000)


def _clear_deadlines() -> None:
    from jiesu.tickets.models import Ticket

    Ticket.objects.update(
        acknowledge_due_at=None,
        first_contact_due_at=None,
        dispatch_due_at=None,
        unit_acknowledge_due_at=None,
        reply_due_at=None,
        callback_due_at=None,
        deadline_rules={},
    )


def _vacuum() -> None:
    from jiesu.tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}")


def _timed(label: str, tickets: int, target: str = "") -> list[dict[str, Any]]:
    from jiesu.tickets.services.recompute import deadlines_recompute

    started = time.perf_counter()
    summary = deadlines_recompute()
    seconds = time.perf_counter() - started
    bench = f"{NAME} ({label})"
    return [
        {"benchmark": bench, "metric": "open tickets", "value": summary.scanned},
        {"benchmark": bench, "metric": "rewritten", "value": summary.changed},
        {"benchmark": bench, "metric": "seconds", "value": round(seconds, 1), "target": target},
        {"benchmark": bench, "metric": "tickets/s", "value": round(summary.scanned / seconds)},
    ]


def run(tickets: int = 1_000_000) -> list[dict[str, Any]]:
    from jiesu.sla.cache import sla_cache_clear
    from jiesu.sla.services import calendar_day_set

    postgres = connection.vendor == "postgresql"
    if not postgres:
        tickets = min(tickets, 20_000)
    original = _use_own_database() if postgres else None
    sla_cache_clear()
    try:
        unit_id = _setup_rules_and_unit()
        sla_cache_clear()  # the rule sets were switched with a bulk update (no signals)
        started = time.perf_counter()
        (_fill_postgresql if postgres else _fill_python)(tickets, unit_id)
        rows = [{"benchmark": NAME, "metric": "fill seconds", "value": round(time.perf_counter() - started, 1)}]
        target = "≤ 60" if postgres else "(PostgreSQL: ≤ 60 at 1M)"
        _clear_deadlines()
        rows += _timed("all rewritten", tickets)
        if postgres:
            _vacuum()  # as autovacuum would after a million updates, before the next run is timed
        calendar_day_set(day=HOLIDAY, is_workday=False, name="基准测试假日", actor=None)
        rows += _timed("holiday edit", tickets, target)
        if hasattr(os, "getloadavg"):
            load = f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
            rows.append({"benchmark": NAME, "metric": "load average", "value": load})
    finally:
        if original is not None:
            _restore_database(original)
        sla_cache_clear()
    return rows


if __name__ == "__main__":
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    django_setup()
    print_table(run(tickets=args.tickets))
