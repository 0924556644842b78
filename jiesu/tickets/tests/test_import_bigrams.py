"""Migration 0015's linear-time bigram functions return exactly what 0006's returned."""

from __future__ import annotations

import csv
import importlib
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.db import connection

SHARED_TEXTS = Path("/work/shared/data/tipdm2020")
ROWS_PER_FILE = 150  # 0006's bodies are quadratic: a sample keeps the test short
EDGE = [
    "",
    "a",
    "ab",
    "MiXeD CaSe",
    "É",
    "ß",
    "ǆ",
    "Σσς",
    "İstanbul",
    "ﬀ",
    "\u0301e",
    "😀",
    "😀😀",
    "a😀b",
    "👨‍👩‍👧",
    "'",
    "''",
    "\\",
    "\\\\",
    "'\\'",
    "a'b\\c",
    "O'Reilly",
    "停",
    "停车",
    "小区噪音扰民，晚上施工",
    " ",
    "\t\n\r",
]

migration = importlib.import_module("jiesu.tickets.migrations.0015_faster_ticket_bigrams")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram functions exist on PostgreSQL only"),
]


def _shared_texts() -> list[tuple[str, str]]:
    """(title, content) samples of the shared hotline data, when this machine has it."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(SHARED_TEXTS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            next(rows, None)
            for count, row in enumerate(rows):
                if count == ROWS_PER_FILE:
                    break
                pairs.append((row[2] if len(row) > 4 else "", row[4] if len(row) > 4 else row[0]))
    return pairs


def _old_functions() -> str:
    """0006's bodies (kept in 0015's BACKWARD) as temporary functions named old_*."""
    old: str = migration.BACKWARD
    return old.replace("FUNCTION jiesu_", "FUNCTION pg_temp.old_jiesu_")


CASES = {  # the scratch table of each comparison, and how its rows go in
    "pairs": ("CREATE TEMP TABLE bigram_cases (title text, content text)", "INSERT INTO bigram_cases VALUES (%s, %s)"),
    "words": ("CREATE TEMP TABLE bigram_cases (word text)", "INSERT INTO bigram_cases VALUES (%s)"),
}


def _mismatches(sql: str, rows: Sequence[tuple[str | None, ...]], case: str) -> int:
    create, insert = CASES[case]
    with connection.cursor() as cursor:
        cursor.execute(create)
        cursor.executemany(insert, rows)
        cursor.execute(sql)
        found = int(cursor.fetchone()[0])
        cursor.execute("DROP TABLE bigram_cases")
    return found


def test_the_new_bodies_return_what_the_old_ones_did() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_old_functions())
    texts = EDGE + [text for pair in _shared_texts() for text in pair]
    pairs: list[tuple[str | None, ...]] = [(a, b) for a in EDGE for b in EDGE]
    pairs += [*_shared_texts(), (None, "x"), ("x", None)]
    assert len(pairs) > len(EDGE) ** 2
    ticket = (
        "SELECT count(*) FROM bigram_cases WHERE jiesu_ticket_bigrams(title, content)::text"
        " IS DISTINCT FROM pg_temp.old_jiesu_ticket_bigrams(title, content)::text"
    )
    assert _mismatches(ticket, pairs, "pairs") == 0
    words: list[tuple[str | None, ...]] = [(t,) for t in texts] + [(None,)]
    single = (
        "SELECT count(*) FROM bigram_cases WHERE jiesu_bigrams(word) IS DISTINCT FROM pg_temp.old_jiesu_bigrams(word)"
    )
    assert _mismatches(single, words, "words") == 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL client_min_messages = warning")  # an empty tsquery is only a notice
    query = (
        "SELECT count(*) FROM bigram_cases"
        " WHERE jiesu_bigram_query(word)::text IS DISTINCT FROM pg_temp.old_jiesu_bigram_query(word)::text"
    )
    assert _mismatches(query, [(t[:40],) for t in texts] + [(None,)], "words") == 0


def test_the_functions_keep_their_properties_and_known_values() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, provolatile, proisstrict, proparallel FROM pg_proc"
            " WHERE proname IN ('jiesu_bigrams', 'jiesu_ticket_bigrams', 'jiesu_bigram_query') ORDER BY proname"
        )
        assert cursor.fetchall() == [
            ("jiesu_bigram_query", "i", True, "s"),
            ("jiesu_bigrams", "i", True, "s"),
            ("jiesu_ticket_bigrams", "i", True, "s"),
        ]
        cursor.execute("SELECT jiesu_bigrams('停车场'), jiesu_bigrams('x'), jiesu_bigram_query('x')")
        assert cursor.fetchone() == (["停车", "车场"], [], None)
        cursor.execute("SELECT jiesu_ticket_bigrams('Ab', 'c')::text, jiesu_bigram_query($$a'b\\$$)::text")
        assert cursor.fetchone() == ("'\nC' 'AB' 'B\n'", "'A''' & '''B' & 'B\\\\'")
