"""`make bench`: every benchmark in one run, printed as one table.

Ratios are measured against a baseline in the same run, because the machines are shared.
Environment: BENCH_IMPORT_ROWS (default 100000), BENCH_LIST_TICKETS (default 1000000),
BENCH_RECOMPUTE_TICKETS (default 1000000), BENCH_KPI_TICKETS (default 1000000), BENCH_PII_ROWS
(default 100000), BENCH_EXPORT_ROWS (default 100000), BENCH_KNOWLEDGE_ENTRIES (default 50000),
BENCH_INTEL=0 skips the classifier benchmarks on the tipdm2020 appeals (a few minutes),
BENCH_HOTSPOT_TEXTS (default 1000000 in the 30-day window; ≈ 1 min, 3 GB, both cores) with
BENCH_HOTSPOT_BASELINE more before it (default 0: a million more doubles time and memory); 0 texts
skips the hotspot benchmarks, which also read the latest 30 days of DATABASE_URL's tickets when it
holds ≥ 100,000.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import django_setup, print_table


def main() -> int:
    django_setup()
    from bench import (
        bench_audit,
        bench_deadlines,
        bench_export,
        bench_hotspots,
        bench_import,
        bench_intel,
        bench_intel_speed,
        bench_knowledge_search,
        bench_kpi,
        bench_list,
        bench_pages,
        bench_pii,
        bench_recompute,
        bench_reports,
        bench_similar_tickets,
    )

    def size(name: str, default: int) -> int:
        return int(os.environ.get(name, str(default)))

    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    rows += bench_deadlines.run()
    rows += bench_import.run(rows=size("BENCH_IMPORT_ROWS", 100_000))
    rows += bench_pii.run(rows=size("BENCH_PII_ROWS", 100_000))
    rows += bench_export.run(rows=size("BENCH_EXPORT_ROWS", 100_000))
    rows += bench_list.run(tickets=size("BENCH_LIST_TICKETS", 1_000_000))
    rows += bench_pages.run(tickets=size("BENCH_LIST_TICKETS", 1_000_000))
    rows += bench_similar_tickets.run(tickets=size("BENCH_LIST_TICKETS", 1_000_000))
    rows += bench_recompute.run(tickets=size("BENCH_RECOMPUTE_TICKETS", 1_000_000))
    rows += bench_kpi.run(tickets=size("BENCH_KPI_TICKETS", 1_000_000))
    rows += bench_reports.run(tickets=size("BENCH_LIST_TICKETS", 1_000_000))
    rows += bench_knowledge_search.run(entries=size("BENCH_KNOWLEDGE_ENTRIES", 50_000))
    rows += bench_audit.run(records=size("BENCH_AUDIT_RECORDS", 1_000_000))
    rows += bench_intel.run()
    if os.environ.get("BENCH_INTEL", "1") != "0":
        rows += bench_intel_speed.run()
    if size("BENCH_HOTSPOT_TEXTS", 1_000_000):
        rows += (
            bench_hotspots.run(texts=size("BENCH_HOTSPOT_TEXTS", 1_000_000), baseline=size("BENCH_HOTSPOT_BASELINE", 0))
            + bench_hotspots.run_database()
            + bench_hotspots.run_snapshot()
        )
    rows.append({"benchmark": "total", "metric": "seconds", "value": round(time.perf_counter() - started, 1)})
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
