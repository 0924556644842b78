"""Report packs end to end at 1,000,000 tickets (PostgreSQL): facts, narrative, charts, .docx, ledger
.xlsx, material zip, stored and audited — a monthly report with 100,000 tickets in its month
(target ≤ 10 s) and an annual report (target ≤ 30 s).

The tickets are bench_list's (received over the last 365 days, about 87,000 a month); the month
before the newest ticket's month is measured, and it is topped up to 100,000 tickets by copying
some of its own tickets under new numbers. Run alone, it uses its own database
(postgres …/jiesu_reports_bench, filled on first use):

    .venv/bin/python bench/bench_reports.py [--tickets 1000000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from typing import Any

from django.db import connection

MONTH_TICKETS = 100_000
BENCH_DATABASE = "postgres://jiesu:jiesu-test@127.0.0.1:5432/jiesu_reports_bench"


def _month_to_measure() -> Any:
    from django.db.models import Max
    from django.utils import timezone

    from jiesu.reports.periods import period_containing
    from jiesu.tickets.models import Ticket

    newest = Ticket.objects.aggregate(m=Max("received_at"))["m"]
    return period_containing("monthly", timezone.localdate(newest)).previous()


def _top_up(period: Any, wanted: int) -> int:
    """Copy tickets of the month under new numbers until it holds `wanted`; returns the count."""
    from jiesu.tickets.models import Ticket

    in_month = Ticket.objects.filter(received_at__gte=period.window.start, received_at__lt=period.window.end)
    have = in_month.count()
    if have >= wanted:
        return have
    columns = [f.column for f in Ticket._meta.concrete_fields if not f.primary_key]
    chosen = ["'R' || lpad(id::text, 12, '0')" if c == "number" else c for c in columns]
    table = Ticket._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(chosen)} FROM {table} "
            "WHERE received_at >= %s AND received_at < %s AND number NOT LIKE 'R%%' ORDER BY id LIMIT %s",
            [period.window.start, period.window.end, wanted - have],
        )
        cur.execute(f"ANALYZE {table}")
    return in_month.count()


def _generate(period: Any) -> tuple[float, dict[str, float], int]:
    """Seconds end to end, seconds per step, and the tickets the report counted."""
    from jiesu.reports.services import report_generate

    marks: list[float] = []
    started = time.perf_counter()
    report = report_generate(
        kind=period.kind, period=period, progress=lambda done, total: marks.append(time.perf_counter())
    )
    total = time.perf_counter() - started
    shutil.rmtree(report.file_path("docx").parent, ignore_errors=True)  # an annual pack is tens of MB
    names = ["facts", "narrative", "charts + docx", "ledger xlsx", "package zip"]
    steps = {name: marks[i + 1] - marks[i] for i, name in enumerate(names) if i + 1 < len(marks)}
    return total, steps, int(report.summary["received"])


def run(tickets: int = 1_000_000) -> list[dict[str, Any]]:
    from bench.bench_list import _fill
    from jiesu.orgs.models import Unit
    from jiesu.reports.periods import period_containing

    if connection.vendor != "postgresql":
        return [{"benchmark": "report pack", "metric": "skipped", "value": "needs PostgreSQL"}]
    if not Unit.objects.filter(kind="district").exists():
        from jiesu.orgs.services import units_seed_beijing

        units_seed_beijing()
    started = time.perf_counter()
    _fill(tickets)
    month = _month_to_measure()
    in_month = _top_up(month, MONTH_TICKETS)
    fill_seconds = time.perf_counter() - started
    year = period_containing("annual", month.start)
    monthly_total, monthly_steps, monthly_received = _generate(month)
    annual_total, annual_steps, annual_received = _generate(year)
    rows: list[dict[str, Any]] = [
        {"benchmark": "report pack", "metric": "fill seconds", "value": round(fill_seconds, 1)},
        {"benchmark": f"monthly report {month.key}", "metric": "tickets in month", "value": in_month},
        {"benchmark": f"monthly report {month.key}", "metric": "received counted", "value": monthly_received},
    ]
    rows += [
        {"benchmark": f"monthly report {month.key}", "metric": f"{name} s", "value": round(seconds, 2)}
        for name, seconds in monthly_steps.items()
    ]
    rows.append(
        {
            "benchmark": f"monthly report {month.key}",
            "metric": "end to end s",
            "value": round(monthly_total, 2),
            "target": "≤ 10",
        }
    )
    rows.append({"benchmark": f"annual report {year.key}", "metric": "received counted", "value": annual_received})
    rows += [
        {"benchmark": f"annual report {year.key}", "metric": f"{name} s", "value": round(seconds, 2)}
        for name, seconds in annual_steps.items()
    ]
    rows.append(
        {
            "benchmark": f"annual report {year.key}",
            "metric": "end to end s",
            "value": round(annual_total, 2),
            "target": "≤ 30",
        }
    )
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", BENCH_DATABASE)
    django_setup()
    print_table(run(tickets=args.tickets))
