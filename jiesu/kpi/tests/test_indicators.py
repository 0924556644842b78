"""Every indicator over the hand-computed March 2024 ledger (support.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import window_of_days
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.selectors import GroupTally, kpi_tally, numerator_value
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db
MARCH = window_of_days(date(2024, 3, 1), date(2024, 3, 31))
COEFFICIENT = Decimal("0.9")

# (numerator, denominator), worked out from the ledger table in support.py:
EXPECTED_ALL: dict[str, tuple[int | Fraction, int | None]] = {
    # placed by received_at in March: A B C D E F H (G came in February)
    "volume": (7, None),
    # valid callbacks of full + response-only tickets: A B C D (E excluded, F invalid, H none); all contacted
    "response_rate": (4, 4),
    # full scope only: A B C; resolved A C
    "resolution_rate": (2, 3),
    # A satisfied (1) + B fairly satisfied (0.9) + C dissatisfied (0) = 1.9 over A B C
    "satisfaction_rate": (Fraction(19, 10), 3),
    # acknowledge deadline in March: A B C F; F was never acknowledged
    "on_time_acknowledge_rate": (3, 4),
    # dispatch deadline in March: A (on time), B (an hour late; complex)
    "on_time_dispatch_rate": (1, 2),
    "on_time_dispatch_normal_rate": (1, 1),
    "on_time_dispatch_complex_rate": (0, 1),
    # reply deadline in March: A (on time), B (late), G (received in February, due and done 03-01/02)
    "on_time_reply_rate": (2, 3),
    "on_time_completion_rate": (2, 3),
    # received in March in full scope: A B C F H; F closed on 04-02, after the window
    "completion_rate": (4, 5),
    # dispatched in March: A B; B returned once
    "return_rate": (1, 2),
    # received in full scope A B C F H; C answered at intake
    "direct_answer_rate": (1, 5),
    # closed in March in full scope: A B C G H; H has no callback yet
    "callback_rate": (4, 5),
    # F is a repeat appeal
    "repeat_rate": (1, 5),
}


def as_numbers(group: GroupTally) -> dict[str, tuple[Fraction, int | None]]:
    result = {}
    for code, tally in group.tallies.items():
        ind = INDICATORS[code]
        numerator = Fraction(numerator_value(ind, tally, COEFFICIENT))
        result[code] = (numerator, tally.denominator if ind.is_rate else None)
    return result


def test_every_indicator_matches_the_hand_computed_ledger(world: World) -> None:
    build_march_ledger(world)
    [overall] = kpi_tally(window=MARCH)
    assert overall.key == "all"
    assert as_numbers(overall) == {code: (Fraction(n), d) for code, (n, d) in EXPECTED_ALL.items()}
    assert set(EXPECTED_ALL) == set(INDICATORS)


def test_values_are_fractions_and_none_for_an_empty_denominator(world: World) -> None:
    build_march_ledger(world)
    [overall] = kpi_tally(window=MARCH)
    satisfaction = INDICATORS["satisfaction_rate"]
    tally = overall.tallies["satisfaction_rate"]
    value = satisfaction.value(numerator_value(satisfaction, tally, COEFFICIENT), tally.denominator)
    assert value is not None and round(value, 6) == Decimal("0.633333")
    [empty] = kpi_tally(window=window_of_days(date(2023, 1, 1), date(2023, 1, 31)))
    response = INDICATORS["response_rate"]
    assert response.value(Decimal(0), empty.tallies["response_rate"].denominator) is None


def test_grouping_by_lead_unit_splits_the_ledger(world: World) -> None:
    build_march_ledger(world)
    groups = {g.key: g for g in kpi_tally(window=MARCH, by=Grouping.UNIT)}
    assert set(groups) == {world.township.code, world.other_township.code, world.district.code}
    township = as_numbers(groups[world.township.code])
    # A B C are the township's valid callbacks in scope (D belongs to the other township)
    assert township["response_rate"] == (Fraction(3), 3)
    assert township["volume"] == (Fraction(5), None)  # A B C E F
    assert as_numbers(groups[world.other_township.code])["response_rate"] == (Fraction(1), 1)
    assert as_numbers(groups[world.district.code])["completion_rate"] == (Fraction(1), 1)  # H
    assert groups[world.township.code].name == world.township.name


def test_grouping_by_district_township_category_and_kind(world: World) -> None:
    build_march_ledger(world)
    by_district = {g.key: g for g in kpi_tally(window=MARCH, by=Grouping.DISTRICT)}
    assert as_numbers(by_district[world.district.code])["volume"] == (Fraction(6), None)
    assert as_numbers(by_district[world.other_district.code])["volume"] == (Fraction(1), None)
    by_township = {g.key for g in kpi_tally(window=MARCH, by=Grouping.TOWNSHIP)}
    assert by_township == {world.township.code, world.other_township.code}
    [no_category] = kpi_tally(window=MARCH, by=Grouping.CATEGORY)
    assert no_category.key == "none" and no_category.name == "未指定"
    [other_kind] = kpi_tally(window=MARCH, by=Grouping.KIND)
    assert other_kind.key == "other" and other_kind.name == "其他"


def test_one_counting_query_per_grouping(world: World) -> None:
    # The counts come from one aggregate query; grouping by units or categories adds one small
    # query for their codes and names (grouping by them in SQL misleads PostgreSQL's planner).
    build_march_ledger(world)
    for by in Grouping.values:
        with CaptureQueriesContext(connection) as queries:
            kpi_tally(window=MARCH, by=by)
        reads = [q["sql"].upper() for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        assert len(reads) <= (1 if by in (Grouping.ALL, Grouping.KIND) else 2), by
        assert sum("COUNT(" in sql for sql in reads) == 1, by
