"""Ledger export (台账) of 100,000 tickets to .xlsx: wall time, rows/s and peak memory.

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_export.py [--rows 100000]
    (or BENCH_EXPORT_ROWS=10000; without DATABASE_URL: a temporary SQLite file)

The tickets are seeded with bench_import's ledger (full histories, sealed requester data) through
the real importer, under a source of their own, so the export reads realistic rows. The export
(`tickets_export`, as the web job and `jiesu tickets-export` run it) happens in a child process,
and the memory figure is that child's peak resident set size (ru_maxrss from wait4): everything
the export needed, Python and Django included, not a delta. Target: ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MB = 500


def seed(rows: int) -> str:
    """Import `rows` tickets under a fresh source; return the source."""
    from bench import bench_import
    from jiesu.tickets.importing.service import tickets_import

    tag = f"E{int(time.time()) % 100000:05d}"
    folder = Path(tempfile.mkdtemp(prefix="jiesu-bench-export-"))
    path = folder / "ledger.csv"
    bench_import.write_ledger(path, rows, tag)
    bench_import._setup_world(tag, folder)
    summary = tickets_import(path=path, source=tag)
    assert summary.created == rows and summary.rejected == 0, summary.as_dict()
    return tag


def child(source: str, output: Path) -> None:
    """The export itself, as the system (every ticket), printing rows and seconds as JSON."""
    from bench.common import django_setup

    django_setup()
    from jiesu.tickets.exporting.service import tickets_export
    from jiesu.tickets.models import Ticket

    started = time.perf_counter()
    tickets = Ticket.objects.filter(source=source).order_by("-received_at", "-id")
    rows = tickets_export(tickets=tickets, actor=None, path=output, filters={"source": source, "bench": True})
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


def _export_in_child(source: str, output: Path) -> tuple[dict[str, Any], float, float]:
    """(child's report, wall seconds, child's peak RSS in MB)."""
    began = time.perf_counter()
    command = [sys.executable, __file__, "--child", source, str(output)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ.copy())  # noqa: S603
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, out
    return json.loads(out.strip().splitlines()[-1]), time.perf_counter() - began, usage.ru_maxrss / 1024


def run(rows: int = 100_000) -> list[dict[str, Any]]:
    """Benchmark rows in the format of bench/run.py (Django must be set up and migrated)."""
    from django.db import connection

    t0 = time.perf_counter()
    source = seed(rows)
    seed_s = time.perf_counter() - t0
    output = Path(tempfile.mkdtemp(prefix="jiesu-bench-export-")) / "ledger.xlsx"
    report, wall_s, peak_mb = _export_in_child(source, output)
    assert report["rows"] == rows, report
    name = f"export {rows:,} rows xlsx ({connection.vendor})"
    return [
        {"benchmark": name, "metric": "seed seconds (import)", "value": round(seed_s, 1)},
        {"benchmark": name, "metric": "export seconds", "value": round(report["seconds"], 1)},
        {"benchmark": name, "metric": "rows/s", "value": round(rows / report["seconds"])},
        {"benchmark": name, "metric": "child wall seconds", "value": round(wall_s, 1)},
        {"benchmark": name, "metric": "peak RSS MB (child)", "value": round(peak_mb, 1), "target": f"≤ {TARGET_MB}"},
        {"benchmark": name, "metric": "file MB", "value": round(output.stat().st_size / 2**20, 1)},
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_EXPORT_ROWS", "100000")))
    parser.add_argument("--child", nargs=2, metavar=("SOURCE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    from bench.common import django_setup, print_table

    django_setup()
    print_table(run(args.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
