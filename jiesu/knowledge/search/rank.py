"""BM25 ranking in SQL, the same statement on SQLite and PostgreSQL.

Score of an entry for query terms t (k1 = 1.2, b = 0.75, title occurrences ×3):

    bm25  = Σ_t idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·len/avglen))
    score = bm25 · Σ_matched idf(t) / Σ_all idf(t)

The second factor (coverage, weighted by idf so that matching a rare word counts for more than
matching 申请) puts entries that match more of the query first. idf, the number of entries and
the average length are computed beforehand and passed in as parameters; every step in SQL is
double-precision arithmetic in the same order on both databases, and the score is rounded to 6
decimals before ordering, so that equal scores summed in a different order cannot flip a tie
(ties go to the newer entry: id DESC).

Two bounds keep a search fast at 50,000 entries (millions of postings):

- a common term (in more than COMMON_SHARE of the entries) does not select entries on its own
  when the query has a rarer term; it only adds to the score of the entries the rarer terms
  found, as Lucene's common-terms query does. A query of common terms only is selected by its
  rarest one;
- when the selecting terms still have more than CANDIDATE_POSTINGS postings (申请 alone), only
  the CANDIDATES entries where they weigh most (title ×3 plus body occurrences) are ranked;
  `total` is then counted exactly by a separate query, and a page beyond those candidates falls
  back to ranking every match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from jiesu.knowledge.models import IndexTerm, KnowledgeEntry
from jiesu.knowledge.search.index import TITLE_WEIGHT
from jiesu.tickets.models import Category

K1 = 1.2
B = 0.75
MAX_TERMS = 16  # a whole ticket text may be a query: keep its rarest terms
COMMON_SHARE = 0.05
COMMON_MIN = 1000
CANDIDATE_POSTINGS = 5000
CANDIDATES = 1000

_WEIGHTED = f"CASE WHEN field = 'title' THEN {TITLE_WEIGHT} ELSE 1 END * frequency"


@dataclass(frozen=True)
class Plan:
    idf: dict[str, float]
    selective: list[str]  # the terms that select entries; the others only add to scores
    avglen: float
    capped: bool  # only the best CANDIDATES entries of the selective terms are ranked


def plan(terms: Sequence[str], counts: dict[str, int], entry_count: int, avglen: float) -> Plan | None:
    present = sorted((t for t in terms if counts.get(t)), key=lambda t: (counts[t], t))[:MAX_TERMS]
    if not present:
        return None
    idf = {t: math.log(1 + (entry_count - counts[t] + 0.5) / (counts[t] + 0.5)) for t in present}
    limit = max(COMMON_SHARE * entry_count, COMMON_MIN)
    selective = [t for t in present if counts[t] <= limit] or present[:1]
    capped = sum(counts[t] for t in selective) > CANDIDATE_POSTINGS
    return Plan(idf=idf, selective=selective, avglen=avglen, capped=capped)


def filters(
    libraries: Sequence[str], category: Category | None, valid_on: date | None, statuses: Sequence[str]
) -> tuple[str, list[Any]]:
    """SQL conditions on the entry (alias e) and their parameters."""
    clauses = [f"e.status IN ({_marks(statuses)})"]
    params: list[Any] = list(statuses)
    if libraries:
        clauses.append(f"e.library IN ({_marks(libraries)})")
        params += list(libraries)
    if category is not None:
        if category.path:
            clauses.append(f"e.category_id IN (SELECT c.id FROM {Category._meta.db_table} c WHERE c.path LIKE %s)")  # noqa: S608
            params.append(category.path + "%")
        else:
            clauses.append("e.category_id = %s")
            params.append(category.pk)
    if valid_on is not None:
        day = connection.ops.adapt_datefield_value(valid_on)
        clauses.append("(e.valid_from IS NULL OR e.valid_from <= %s) AND (e.valid_to IS NULL OR e.valid_to >= %s)")
        params += [day, day]
    return " AND ".join(clauses), params


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _source(the_plan: Plan, capped: bool) -> tuple[str, list[Any]]:
    """The postings to score, as a sub-select of (entry_id, term, field, frequency). A UNION ALL
    rather than an OR, so that each part can be read from a (term, entry, …) index alone."""
    table = IndexTerm._meta.db_table
    selective = the_plan.selective
    columns = f"SELECT entry_id, term, field, frequency FROM {table}"  # noqa: S608
    if capped:
        terms = sorted(the_plan.idf)
        best = (
            f"SELECT entry_id FROM {table} WHERE term IN ({_marks(selective)}) GROUP BY entry_id"  # noqa: S608
            f" ORDER BY SUM({_WEIGHTED}) DESC, entry_id DESC LIMIT %s"
        )
        sql = f"{columns} WHERE term IN ({_marks(terms)}) AND entry_id IN (SELECT entry_id FROM ({best}) best)"  # noqa: S608
        return sql, [*terms, *selective, CANDIDATES]
    picked = f"{columns} WHERE term IN ({_marks(selective)})"
    common = [t for t in sorted(the_plan.idf) if t not in selective]
    if not common:
        return picked, list(selective)
    inner = f"SELECT entry_id FROM {table} WHERE term IN ({_marks(selective)})"  # noqa: S608
    also = f"{columns} WHERE term IN ({_marks(common)}) AND entry_id IN ({inner})"
    return f"{picked} UNION ALL {also}", [*selective, *common, *selective]


def ranked(
    the_plan: Plan, where: str, where_params: list[Any], limit: int, offset: int, *, capped: bool
) -> list[tuple[int, float, int]]:
    """(entry id, score, matches counted) for one page, best first."""
    terms = sorted(the_plan.idf)
    source, source_params = _source(the_plan, capped)
    weight = "CAST(CASE s.term " + " ".join(["WHEN %s THEN %s"] * len(terms)) + " END AS DOUBLE PRECISION)"
    weight_params: list[Any] = [value for term in terms for value in (term, the_plan.idf[term])]
    bm25 = (
        f"SUM({weight} * s.tf * CAST(%s AS DOUBLE PRECISION)"
        " / (s.tf + CAST(%s AS DOUBLE PRECISION) + CAST(%s AS DOUBLE PRECISION) * e.indexed_length))"
    )
    score = f"ROUND(CAST({bm25} * SUM({weight}) / CAST(%s AS DOUBLE PRECISION) AS NUMERIC), 6)"
    sql = f"""
        SELECT e.id, {score} AS score, COUNT(*) OVER () AS total
        FROM (
            SELECT t.entry_id AS entry_id, t.term AS term, SUM({_WEIGHTED}) AS tf
            FROM ({source}) t
            GROUP BY t.entry_id, t.term
        ) s
        JOIN {KnowledgeEntry._meta.db_table} e ON e.id = s.entry_id
        WHERE {where}
        GROUP BY e.id
        ORDER BY score DESC, e.id DESC
        LIMIT %s OFFSET %s
    """  # noqa: S608 (identifiers are our own table names; values are parameters)
    params: list[Any] = [
        *weight_params,
        K1 + 1,
        K1 * (1 - B),
        K1 * B / the_plan.avglen,
        *weight_params,
        sum(the_plan.idf.values()),
        *source_params,
        *where_params,
        limit,
        offset,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), float(value), int(total)) for pk, value, total in cursor.fetchall()]


def matching(the_plan: Plan, where: str, where_params: list[Any]) -> int:
    """How many entries the filters let through that hold a selective term."""
    inner = f"SELECT entry_id FROM {IndexTerm._meta.db_table} WHERE term IN ({_marks(the_plan.selective)})"  # noqa: S608
    sql = f"SELECT COUNT(*) FROM {KnowledgeEntry._meta.db_table} e WHERE {where} AND e.id IN ({inner})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*where_params, *the_plan.selective])
        return int(cursor.fetchone()[0])


def page(the_plan: Plan, where: str, where_params: list[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of (entry id, score, _) rows, best first, and the number of matching entries."""
    capped = the_plan.capped and offset + limit <= CANDIDATES
    rows = ranked(the_plan, where, where_params, limit, offset, capped=capped)
    if capped:
        return rows, matching(the_plan, where, where_params)
    if rows:
        return rows, rows[0][2]
    if offset > 0:  # past the last page: the total still tells the pager where the end is
        first = ranked(the_plan, where, where_params, 1, 0, capped=False)
        return [], first[0][2] if first else 0
    return [], 0
