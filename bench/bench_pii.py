"""What sealing personal data costs the ledger import: the same import with and without SM4.

    .venv/bin/python bench/bench_pii.py [--rows 100000] [--pairs 2]     (or BENCH_PII_ROWS=10000)

Writes one ledger (bench_import's generator plus an ID-number column, so every row has a name, a
phone and an ID number) and imports it under fresh sources, alternating two modes: "sealed", as
in production, and "plain", where a bench-only swap makes SealedCharField store the plaintext
and the phone digest column the plain number (as the plaintext phone column and its index did
before sealing; production code has no switch for that). Overhead = (sealed − plain) / plain, from the mean of the
passes of each mode in A-B-B-A order (the table grows with every pass), on wall time and on this
process's CPU time (the machine is shared; on SQLite the database's work is in that CPU time too).
Target: ≤ 20 %.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_import

ID_COLUMN = "证件号码"
DEFAULT_ROWS = 100_000


def write_ledger(path: Path, rows: int, run: str) -> list[str]:
    """The bench_import ledger with an ID number on every row; returns the phone numbers."""
    rng = random.Random(7)
    phones = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*bench_import.COLUMNS, ID_COLUMN])
        phone_at = bench_import.COLUMNS.index("联系电话")
        for row in bench_import.ledger_rows(rows, run):
            birthday = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            writer.writerow([*row, f"110105{birthday}{rng.randrange(10**4):04d}"])
            phones.append(row[phone_at])
    return phones


@contextmanager
def plaintext_fields() -> Iterator[None]:
    """Bench-only: SealedCharField stores and reads the plaintext, as a plain text column would,
    and the digest column holds the number itself (what the old index on the phone column held)."""
    from jiesu.core.fields import PhoneDigestField, SealedCharField

    saved = SealedCharField.get_db_prep_value, SealedCharField.from_db_value
    saved_digest = PhoneDigestField.__dict__["value_for"]

    def prep(self: SealedCharField, value: Any, connection: Any, prepared: bool = False) -> Any:
        return value if prepared else self.get_prep_value(value)

    def read(self: SealedCharField, value: Any, expression: Any, connection: Any) -> Any:
        return value

    SealedCharField.get_db_prep_value, SealedCharField.from_db_value = prep, read  # type: ignore[method-assign]
    PhoneDigestField.value_for = staticmethod(lambda phone: phone or "")  # type: ignore[method-assign]
    try:
        yield
    finally:
        SealedCharField.get_db_prep_value, SealedCharField.from_db_value = saved  # type: ignore[method-assign]
        PhoneDigestField.value_for = saved_digest  # type: ignore[method-assign]


def _import(path: Path, source: str, plain: bool) -> tuple[float, float]:
    from jiesu.tickets.importing.service import tickets_import

    with plaintext_fields() if plain else _nothing():
        began, cpu = time.perf_counter(), time.process_time()
        summary = tickets_import(path=path, source=source)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert summary.rejected == 0, summary.errors[:5]
    return wall, cpu


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _check_sealed(source: str, phone: str) -> None:
    """The sealed pass really stored ciphertext (no plaintext phone in the raw column) and digests."""
    from django.db import connection

    from jiesu.tickets.models import Ticket

    with connection.cursor() as cursor:
        table = Ticket._meta.db_table
        sql = f"SELECT requester_phone, requester_phone_digest FROM {table} WHERE source = %s LIMIT 50"
        cursor.execute(sql, [source])
        raw = cursor.fetchall()
    assert raw and all(phone not in value and not value.startswith("13") for value, _ in raw), raw[:3]
    assert all(len(digest) == 64 for _, digest in raw), raw[:3]


def run(rows: int, pairs: int = 2) -> list[dict[str, Any]]:
    """Benchmark rows in the format of bench/run.py (Django must be set up and migrated)."""
    from django.db import connection

    tag = f"P{int(time.time()) % 100000:05d}"
    folder = Path(tempfile.mkdtemp(prefix="jiesu-bench-pii-"))
    path = folder / "ledger.csv"
    phones = write_ledger(path, rows, tag)
    bench_import._setup_world(tag, folder)
    times: dict[str, list[tuple[float, float]]] = {"plain": [], "sealed": []}
    # A B B A …: the table grows with every pass, so each mode gets the same mean position.
    order = [("sealed", "plain") if n % 2 == 0 else ("plain", "sealed") for n in range(pairs)]
    for n, modes in enumerate(order):
        for mode in modes:
            times[mode].append(_import(path, f"{tag}-{mode}{n}", plain=mode == "plain"))
    _check_sealed(f"{tag}-sealed0", phones[0])
    plain_wall, plain_cpu = (sum(t[i] for t in times["plain"]) / pairs for i in (0, 1))
    sealed_wall, sealed_cpu = (sum(t[i] for t in times["sealed"]) / pairs for i in (0, 1))
    name = f"PII sealing, import {rows:,} rows ({connection.vendor})"
    per_row_us = (sealed_cpu - plain_cpu) / rows * 1e6
    return [
        {"benchmark": name, "metric": "overhead % (wall)", "value": _pct(sealed_wall, plain_wall), "target": "≤ 20"},
        {"benchmark": name, "metric": "overhead % (CPU)", "value": _pct(sealed_cpu, plain_cpu), "target": "≤ 20"},
        {"benchmark": name, "metric": "seconds sealed", "value": round(sealed_wall, 2)},
        {"benchmark": name, "metric": "seconds plaintext", "value": round(plain_wall, 2)},
        {"benchmark": name, "metric": "µs CPU per row", "value": round(per_row_us, 1)},
    ]  # fmt: skip


def _pct(measured: float, baseline: float) -> float:
    return round((measured - baseline) / baseline * 100, 1) if baseline > 0 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_PII_ROWS", str(DEFAULT_ROWS))))
    parser.add_argument("--pairs", type=int, default=2, help="passes of each mode (their mean counts)")
    args = parser.parse_args()
    from bench.common import django_setup, print_table

    django_setup()
    print_table(run(args.rows, args.pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
